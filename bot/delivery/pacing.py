"""Calling Slack from a sender: paced for its rate limits, and safe to repeat.

A sweep sends hundreds of messages: about one per second per channel, and a 429 pauses
every later call for Retry-After. A post is never retried blindly (Slack may have taken it
before the connection dropped); whoever tries it again first looks for it by metadata.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.observability import telemetry
from bot.observability.slack_calls import counted_client, method_of

log = logging.getLogger(__name__)

EVENT_TYPE = "handoff_message"
LOOKUP_LIMIT = 200  # messages per page when looking for a lost post
LOOKUP_PAGES = 10  # pages read at most: see docs/operations.md, known limits
T = TypeVar("T")


class Pacer:
    """About one message per second per channel, and a pause for every Retry-After.

    The clock and sleep are injected so tests can check the waits without waiting.
    """

    def __init__(
        self,
        *,
        per_channel: float = 1.0,
        retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_channel, self.retries = per_channel, retries
        self.clock, self.sleep = clock, sleep
        self._last: dict[str, float] = {}
        self._paused_until = 0.0
        self.waits: list[float] = []

    def call(self, fn: Callable[[], T], channel: str | None = None) -> T:
        """Run one Web API call, spaced after the last post to `channel`; a 429 pauses
        every later call for Retry-After seconds, then this one is tried again."""
        for attempt in range(self.retries + 1):
            self._wait(channel)
            try:
                result = fn()
            except SlackApiError as exc:
                if exc.response.status_code != 429 or attempt == self.retries:
                    raise
                wait = retry_after(exc)
                telemetry.retry_after(method_of(exc.response.api_url), wait)
                self._paused_until = self.clock() + wait
                continue
            if channel is not None:
                self._last[channel] = self.clock()
            return result
        raise AssertionError("unreachable")

    def _wait(self, channel: str | None) -> None:
        ready = self._paused_until
        if channel is not None and channel in self._last:
            ready = max(ready, self._last[channel] + self.per_channel)
        delay = ready - self.clock()
        if delay > 0:
            self.waits.append(delay)
            self.sleep(delay)


def retry_after(exc: SlackApiError) -> float:
    headers = exc.response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after") or "1"
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 1.0


def _copy(client: WebClient, *, rate_limits: bool, failures: bool) -> WebClient:
    handlers: list[Any] = []
    if rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    if failures:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return counted_client(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=handlers,
    )


@dataclass
class Slack:
    """The Web API as a sender uses it.

    `posts` never retries a dropped connection or a 5xx (the post may have landed: the
    outbox retries it later, after a lookup); `client` does, for calls that are safe to
    repeat (chat.update, views.publish, lookups).
    """

    client: WebClient
    posts: WebClient
    pacer: Pacer = field(default_factory=Pacer)

    @classmethod
    def for_sweep(cls, client: WebClient, pacer: Pacer | None = None) -> Slack:
        """No 429 retries inside the client: the pacer honours Retry-After for the whole
        sweep, so a storm slows the sweep instead of failing it."""
        return cls(
            _copy(client, rate_limits=False, failures=True),
            _copy(client, rate_limits=False, failures=False),
            pacer or Pacer(),
        )

    @classmethod
    def immediate(cls, client: WebClient) -> Slack:
        """Right after a commit: the client's own 429 retries (Slack's burst allowance
        absorbs a click's few calls), no spacing and no pacing retries on top."""
        return cls(
            _copy(client, rate_limits=True, failures=True),
            _copy(client, rate_limits=True, failures=False),
            Pacer(per_channel=0.0, retries=0),
        )

    def call(self, fn: Callable[[WebClient], T], channel: str | None = None) -> T:
        return self.pacer.call(lambda: fn(self.client), channel)

    def post(self, channel: str, content: dict[str, Any], **options: Any) -> tuple[str, str]:
        """chat.postMessage once; (channel, ts) of the message Slack made."""
        reply = self.pacer.call(
            lambda: self.posts.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **options, **content
            ),
            channel=channel,
        )
        return str(reply["channel"]), str(reply["ts"])

    def update(self, channel: str, ts: str, content: dict[str, Any]) -> None:
        self.call(lambda c: c.chat_update(channel=channel, ts=ts, **content), channel)

    def dm_channel(self, users: list[str]) -> str:
        """The DM (one user) or group DM (several) with these people."""
        reply = self.call(lambda c: c.conversations_open(users=",".join(users)))
        return str(reply["channel"]["id"])

    def permalink(self, channel: str | None, ts: str | None) -> str:
        """A link to a message, or "" when there is none or Slack will not say: a message
        that links to the brief goes out without the link rather than not at all."""
        if not (channel and ts):
            return ""
        try:
            reply = self.call(lambda c: c.chat_getPermalink(channel=channel, message_ts=ts))
        except SlackApiError as exc:
            log.warning("no permalink for %s %s (%s)", channel, ts, exc.response.get("error"))
            return ""
        return str(reply.get("permalink") or "")

    def find(self, channel: str, meta: dict[str, Any], thread_ts: str | None = None) -> str | None:
        """The ts of a message carrying `meta` in `channel` (or its thread), if any.

        The latest LOOKUP_PAGES pages are read, newest first, so a message is found even when
        hundreds came after it. If Slack refuses the lookup (an `ok: false` answer, such as a
        scope the workspace did not grant), we post: one possible duplicate is better than a
        message that is never sent. If the lookup fails (a 429, a 5xx, a dead line) the error
        is raised and the row waits for its next try: posting then could show it twice.
        """
        args: dict[str, Any] = {
            "channel": channel,
            "include_all_metadata": True,
            "limit": LOOKUP_LIMIT,
        }
        if thread_ts:
            args["ts"] = thread_ts
        lookup = "conversations_replies" if thread_ts else "conversations_history"
        cursor = ""
        for _ in range(LOOKUP_PAGES):
            page = {**args, "cursor": cursor} if cursor else args
            try:
                reply = self.call(partial(_lookup, lookup=lookup, args=page))
            except SlackApiError as exc:
                if exc.response.status_code != 200:
                    raise
                log.warning(
                    "could not look for a lost message (%s); posting", exc.response.get("error")
                )
                return None
            for found in reply.get("messages") or []:
                if found.get("metadata") == meta:
                    return str(found["ts"])
            cursor = str((reply.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return None


def _lookup(client: WebClient, *, lookup: str, args: dict[str, Any]) -> Any:
    return getattr(client, lookup)(**args)


def metadata(
    handoff_id: int, kind: str, level: int, booking_id: int | None = None
) -> dict[str, Any]:
    """What a message about a handoff (or a booking) carries, so a sender can find it after
    a crash."""
    payload: dict[str, Any] = {"handoff_id": handoff_id, "kind": kind, "level": level}
    if booking_id is not None:
        payload["booking_id"] = booking_id
    return {"event_type": EVENT_TYPE, "event_payload": payload}
