"""Slack's retries and people's double presses: the same signed request, byte for byte,
sent again (and at the same instant), the way a retry or a second click arrives."""

from __future__ import annotations

import threading
import urllib.request
from dataclasses import dataclass

from slack_standin import SlackSender
from slack_standin.client import Reply


@dataclass(frozen=True)
class Sent:
    body: bytes
    content_type: str
    timestamp: str
    signature: str


class RecordingSender(SlackSender):
    """A SlackSender that keeps every request it signs; `hold()` keeps the next one back
    instead of sending it, for a test to send its copies itself."""

    sent: list[Sent]
    _hold: bool

    def record(self) -> None:
        self.sent, self._hold = [], False

    def hold(self) -> None:
        self._hold = True

    def send_raw(
        self,
        body: bytes,
        content_type: str,
        *,
        signature: str | None = None,
        timestamp: str | None = None,
    ) -> Reply:
        import time

        timestamp = timestamp if timestamp is not None else str(int(time.time()))
        if signature is None:
            signature = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
        self.sent.append(Sent(body, content_type, timestamp, signature))
        if self._hold:
            self._hold = False
            return Reply(202, "", {})
        return super().send_raw(body, content_type, signature=signature, timestamp=timestamp)

    def copies(self, request: Sent, count: int, *, retry: bool = False) -> list[Reply]:
        """`count` byte-identical copies of `request`, all at once; `retry` marks them as
        Slack marks an Events API retry."""
        replies: list[Reply | None] = [None] * count
        start = threading.Barrier(count)

        def send(i: int) -> None:
            headers = {
                "Content-Type": request.content_type,
                "X-Slack-Request-Timestamp": request.timestamp,
                "X-Slack-Signature": request.signature,
            }
            if retry:
                headers.update({"X-Slack-Retry-Num": str(i + 1), "X-Slack-Retry-Reason": "timeout"})
            start.wait()
            http = urllib.request.Request(self.app_url, data=request.body, headers=headers)
            with self._opener.open(http, timeout=self.timeout) as response:
                replies[i] = Reply(
                    response.status, response.read().decode(), dict(response.headers)
                )

        threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r is not None for r in replies)
        return [r for r in replies if r is not None]


class DuplicatingSender(RecordingSender):
    """Sends every request `times` times at once, byte for byte, and checks that every copy
    got a 2xx and the same answer; the caller sees that one answer."""

    times = 3
    copies_sent = 0

    def send_raw(
        self,
        body: bytes,
        content_type: str,
        *,
        signature: str | None = None,
        timestamp: str | None = None,
    ) -> Reply:
        self.hold()
        super().send_raw(body, content_type, signature=signature, timestamp=timestamp)
        replies = self.copies(self.sent[-1], self.times)
        self.copies_sent += len(replies)
        first = replies[0]
        assert all(200 <= r.status < 300 for r in replies), replies
        assert all((r.status, r.body) == (first.status, first.body) for r in replies), replies
        return first
