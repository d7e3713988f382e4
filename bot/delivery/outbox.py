"""Sending a ledger-claimed message exactly once, paced for Slack's rate limits.

The order is always: claim in the ledger (committed), post with metadata naming
the claim, record the send. A crash after Slack accepted the post but before the
record leaves a stale claim; whoever takes it over first looks for a message
carrying that metadata, and records it instead of posting again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse

from bot.services import Services
from storage import ledger

log = logging.getLogger(__name__)

EVENT_TYPE = "handoff_message"
LOOKUP_LIMIT = 200  # messages scanned for a lost post; see docs/operations.md, known limits
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
                self._paused_until = self.clock() + _retry_after(exc)
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


def _retry_after(exc: SlackApiError) -> float:
    headers = exc.response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after") or "1"
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 1.0


def sweep_client(client: WebClient) -> WebClient:
    """The same client without slack_sdk's 429 retries: the pacer honours Retry-After
    itself, so a storm slows the sweep instead of failing it, and tests need not sleep."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[
            h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)
        ],
    )


@dataclass
class Outbox:
    """The client and pacer a sweep (or a listener) sends through."""

    client: WebClient
    pacer: Pacer = field(default_factory=Pacer)

    @classmethod
    def for_services(cls, services: Services, pacer: Pacer | None = None) -> Outbox:
        return cls(sweep_client(services.client), pacer or Pacer())

    @classmethod
    def immediate(cls, services: Services) -> Outbox:
        """For listeners: the app's client and its own 429 retries, no extra pacing retries."""
        return cls(services.client, Pacer(retries=0))

    def call(self, fn: Callable[[WebClient], T]) -> T:
        return self.pacer.call(lambda: fn(self.client))

    def dm_channel(self, users: list[str]) -> str:
        """The DM (one user) or group DM (several) with these people."""
        reply = self.call(lambda c: c.conversations_open(users=",".join(users)))
        return str(reply["channel"]["id"])


def update_message(
    client: WebClient, *, channel: str, ts: str, content: dict[str, Any]
) -> SlackResponse:
    return client.chat_update(channel=channel, ts=ts, **content)


def permalink(outbox: Outbox, channel: str | None, ts: str | None) -> str:
    """A link to a message, or "" when there is none or Slack will not say: a message
    that links to the brief goes out without the link rather than not at all."""
    if not (channel and ts):
        return ""
    try:
        reply = outbox.call(lambda c: c.chat_getPermalink(channel=channel, message_ts=ts))
    except SlackApiError as exc:
        log.warning("no permalink for %s %s (%s)", channel, ts, exc.response.get("error"))
        return ""
    return str(reply.get("permalink") or "")


@dataclass(frozen=True)
class Draft:
    """A message to post: `channel` is a conversation id; `thread_ts` makes it a reply."""

    channel: str
    content: dict[str, Any]
    thread_ts: str | None = None
    broadcast: bool = False


@dataclass(frozen=True)
class Sent:
    handoff_id: int
    kind: str
    level: int
    channel: str
    ts: str
    text: str
    thread_ts: str | None = None
    recovered: bool = False  # found already posted by a sender that crashed


def metadata(handoff_id: int, kind: str, level: int) -> dict[str, Any]:
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"handoff_id": handoff_id, "kind": kind, "level": level},
    }


def send_once(
    services: Services,
    outbox: Outbox,
    *,
    handoff_id: int,
    kind: str,
    level: int,
    recipient: str,
    draft: Callable[[], Draft | None],
    now: datetime,
) -> Sent | None:
    """Claim (handoff, kind, level), then post `draft()` once. None when it was sent
    already, someone else is sending it, there is nothing to send, or Slack failed
    (then the claim is released and a later sweep tries again)."""
    with services.unit() as repo:
        claim = ledger.claim(
            repo.session,
            handoff_id=handoff_id,
            kind=kind,
            level=level,
            recipient=recipient,
            now=now,
        )
    if claim is None:
        return None
    meta = metadata(handoff_id, kind, level)
    try:
        message = draft()
        if message is None:
            _release(services, claim.id, "nothing to send", now)
            return None
        found = already_posted(outbox, message, meta) if claim.attempts > 1 else None
        if found is not None:
            sent = Sent(
                handoff_id,
                kind,
                level,
                message.channel,
                found,
                message.content["text"],
                message.thread_ts,
                recovered=True,
            )
        else:
            reply = outbox.pacer.call(
                lambda: outbox.client.chat_postMessage(
                    channel=message.channel,
                    thread_ts=message.thread_ts,
                    reply_broadcast=message.broadcast or None,
                    metadata=meta,
                    unfurl_links=False,
                    unfurl_media=False,
                    **message.content,
                ),
                channel=message.channel,
            )
            sent = Sent(
                handoff_id,
                kind,
                level,
                str(reply["channel"]),
                str(reply["ts"]),
                message.content["text"],
                message.thread_ts,
            )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        log.warning(
            "handoff %s: %s level %s not sent (%s); retried later", handoff_id, kind, level, error
        )
        _release(services, claim.id, error, now)
        return None
    record_sent(services, claim.id, sent, now)
    return sent


def record_sent(services: Services, claim_id: int, sent: Sent, now: datetime) -> None:
    with services.unit() as repo:
        ledger.mark_sent(repo.session, claim_id, channel=sent.channel, ts=sent.ts, now=now)


def _release(services: Services, claim_id: int, error: str, now: datetime) -> None:
    with services.unit() as repo:
        ledger.mark_failed(repo.session, claim_id, error=error, now=now)


def already_posted(outbox: Outbox, message: Draft, meta: dict[str, Any]) -> str | None:
    """The ts of a message carrying `meta` in the place `message` goes, if any.

    If Slack refuses the lookup (a scope the workspace did not grant), we post:
    one possible duplicate is better than a chase that is never sent.
    """
    try:
        thread_ts = message.thread_ts
        if thread_ts:
            reply = outbox.call(
                lambda c: c.conversations_replies(
                    channel=message.channel,
                    ts=thread_ts,
                    include_all_metadata=True,
                    limit=LOOKUP_LIMIT,
                )
            )
        else:
            reply = outbox.call(
                lambda c: c.conversations_history(
                    channel=message.channel, include_all_metadata=True, limit=LOOKUP_LIMIT
                )
            )
    except SlackApiError as exc:
        log.warning("could not look for a lost message (%s); posting", exc.response.get("error"))
        return None
    for found in reply.get("messages") or []:
        if found.get("metadata") == meta:
            return str(found["ts"])
    return None
