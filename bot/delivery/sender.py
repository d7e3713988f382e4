"""Sending outbox rows: claim, render from the database, call Slack, record.

The row was written in the transaction that made the change, so nothing is lost whatever
happens here: a failed call releases the row for a later try (backing off), a sender that
dies leaves a lease that runs out, and whoever takes a post over first looks in Slack for
the message by its metadata, so it is never posted twice. A sync re-armed while it was
being sent is sent again at once: Slack always ends on the latest state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.delivery.crashpoints import crash_at
from bot.delivery.pacing import Slack, metadata, retry_after
from bot.delivery.planners import PLANNERS
from bot.delivery.plans import (
    SOON,
    Call,
    Later,
    Nothing,
    OutsideError,
    Plan,
    Post,
    Publish,
    Update,
)
from bot.observability import logs
from bot.observability.slack_calls import method_of
from bot.services import Services
from handoff.effects import Effect
from handoff.model import Handoff, MessageKind
from storage.outbox import Job
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# How long a row waits after its n-th failed try (the last step repeats).
BACKOFF = tuple(timedelta(minutes=m) for m in (0, 1, 2, 5, 10, 30))
ROUNDS = 3  # a sync re-armed this often while being sent goes back to the pool's queue
CHUNK = 10  # rows claimed (and recorded) together: at most this many wait out a crash
FRESH = 1.0  # seconds a chunk's read of its handoffs is rendered from
# Failed tries in a row after which a message is reported: the back-off has reached its
# longest wait (about 50 minutes of trying). Reported once per handoff; tried on regardless.
REPORT_AFTER = len(BACKOFF) + 1


@dataclass(frozen=True)
class Sent:
    """A message that reached Slack (or was found there, left by a sender that died)."""

    handoff_id: int | None
    kind: str
    level: int
    channel: str
    ts: str
    text: str
    thread_ts: str | None = None
    recovered: bool = False


@dataclass
class Outcome:
    """What sending some rows did, for `handoff chase` and the tests."""

    sent: list[Sent]
    updated: list[Job]
    published: list[Job]
    failed: list[Job]
    called: list[Job] = field(default_factory=list)  # calls outside Slack that went through

    @classmethod
    def empty(cls) -> Outcome:
        return cls([], [], [], [])

    def extend(self, other: Outcome) -> None:
        self.sent += other.sent
        self.updated += other.updated
        self.published += other.published
        self.failed += other.failed
        self.called += other.called


def deliver(services: Services, row_ids: Iterable[int], slack: Slack) -> Outcome:
    """Send these rows, in order, each until Slack shows what the database says.

    Rows are claimed a few at a time in one transaction and recorded in one more, so a
    click's four rows cost two writes, not eight (on SQLite every write waits its turn)."""
    outcome = Outcome.empty()
    ids = list(row_ids)
    for start in range(0, len(ids), CHUNK):
        _deliver_chunk(services, ids[start : start + CHUNK], slack, outcome)
    return outcome


def deliver_due(services: Services, slack: Slack) -> Outcome:
    """Every row due now, oldest first, page by page (keyset: never OFFSET)."""
    outcome = Outcome.empty()
    after = 0
    while True:
        with services.uow(read_only=True) as uow:
            page = uow.outbox.due(now=services.now(), after_id=after)
        if not page:
            return outcome
        outcome.extend(deliver(services, page, slack))
        after = page[-1]


@dataclass
class _Try:
    job: Job
    plan: Plan | None = None
    sent: Sent | None = None
    later: Later | None = None
    error: Exception | None = None


def _deliver_chunk(services: Services, row_ids: list[int], slack: Slack, outcome: Outcome) -> None:
    for _ in range(ROUNDS):
        with services.uow() as uow:
            # Sent in the order given (the brief before its Homes).
            jobs = uow.outbox.claim(row_ids, now=services.now())
        if not jobs:
            return  # not due, sent already, or another sender holds them
        crash_at("after_claim")
        tries = _attempt_all(services, slack, jobs)
        with services.uow() as uow:
            # The handoffs first, by id, then the outbox rows, by id: the order a transition
            # locks them in, so a recording, a claim and a click never wait on each other in
            # a cycle (a deadlock on PostgreSQL).
            for attempt in sorted(tries, key=lambda t: t.job.handoff_id or 0):
                _record_effects(uow, attempt)
            follows = [
                e for t in tries if isinstance(t.plan, Post) and t.sent for e in t.plan.follow
            ]
            uow.outbox.lock(ids=[t.job.id for t in tries], effects=follows)
            behind = [t.job.id for t in tries if not _record(services, uow, t, outcome)]
            followers = list(uow.outbox.written)
        if followers:  # what recording armed (the booker's Home once a brief is posted)
            deliver(services, followers, slack)
        # Waiting on a message another sender is recording right now: queued again.
        soon = [t.job.id for t in tries if t.later is not None and t.later.after == SOON]
        if soon:
            time.sleep(0.05)  # the other sender is mid-call: a short pause, not a spin
            services.deliver_soon(soon)
        if not behind:
            return
        row_ids = behind  # re-armed while being sent: send the newer state now
    # Re-armed in every round: back to the pool's queue rather than the next sweep, so the
    # newest state still goes out now, after whatever is queued meanwhile.
    services.deliver_soon(row_ids)


def _attempt_all(services: Services, slack: Slack, jobs: list[Job]) -> list[_Try]:
    """Try each row in turn, rendering from the handoffs as they are now. The chunk's
    handoffs are read in one go (a sweep of thousands of reminders then costs three queries
    a chunk, not three a row), and read again once that read is over `FRESH` old: pacing
    can hold a chunk for seconds, and a reminder must not go out for a brief decided since."""
    tries: list[_Try] = []
    loaded: dict[int, Handoff] = {}
    read_at = -FRESH
    for n, job in enumerate(jobs):
        if job.handoff_id is not None and time.monotonic() - read_at >= FRESH:
            ids = {j.handoff_id for j in jobs[n:] if j.handoff_id is not None}
            with services.uow(read_only=True) as uow:
                loaded = uow.handoffs.get_many(ids)
            read_at = time.monotonic()
        if job.handoff_id is not None:
            job = replace(job, handoff=loaded.get(job.handoff_id))
        tries.append(_attempt(services, slack, job))
    return tries


def _attempt(services: Services, slack: Slack, job: Job) -> _Try:
    """Plan and send one row; an error is kept for the record, never raised."""
    with logs.scope(handoff_id=job.handoff_id, outbox_kind=job.kind):
        return _attempt_one(services, slack, job)


def _attempt_one(services: Services, slack: Slack, job: Job) -> _Try:
    planner = PLANNERS.get(job.kind)
    attempt = _Try(job)
    try:
        if planner is None:
            raise LookupError(f"no planner for outbox kind {job.kind!r}")
        attempt.plan = planner(services, slack, job)
        attempt.sent = _execute(slack, job, attempt.plan)
    except Later as later:
        attempt.later = later
    except Exception as exc:  # a row must never be lost to an unexpected error
        attempt.error = exc
    else:
        crash_at("after_send")
    return attempt


def _record_effects(uow: UnitOfWork, attempt: _Try) -> None:
    """What a sent row changes beyond the outbox (the brief's place, its synced version)."""
    plan, sent = attempt.plan, attempt.sent
    if isinstance(plan, Post) and plan.record and sent:
        plan.record(uow, sent.channel, sent.ts)
    if isinstance(plan, Update) and plan.record and attempt.error is None:
        plan.record(uow)


def _record(services: Services, uow: UnitOfWork, attempt: _Try, outcome: Outcome) -> bool:
    """Record one try; True unless a newer generation is waiting to be sent."""
    job, plan, sent, now = attempt.job, attempt.plan, attempt.sent, services.now()
    if attempt.later is not None:
        uow.outbox.later(job, now=now, after=attempt.later.after)
        log.info("%s: not yet (%s)", job.key, attempt.later.why)
        return True
    if attempt.error is not None or plan is None:
        _failed(uow, job, attempt.error or LookupError("no plan"), now)
        outcome.failed.append(job)
        return True
    if isinstance(plan, Nothing):
        uow.outbox.nothing_to_send(job, now=now)
        return True
    latest = uow.outbox.done(
        job, now=now, channel=sent.channel if sent else None, ts=sent.ts if sent else None
    )
    if isinstance(plan, Post) and plan.follow and sent:
        uow.outbox.add(plan.follow, now=now)
    if sent is not None:
        outcome.sent.append(sent)
    elif isinstance(plan, Update):
        outcome.updated.append(job)
    elif isinstance(plan, Publish):
        outcome.published.append(job)
    elif isinstance(plan, Call):
        outcome.called.append(job)
    return latest


def _execute(slack: Slack, job: Job, plan: Plan) -> Sent | None:
    if isinstance(plan, Post):
        return _post(slack, job, plan)
    if isinstance(plan, Update):
        for channel, ts in plan.targets:
            slack.update(channel, ts, plan.content)
    elif isinstance(plan, Publish):
        slack.call(lambda c: c.views_publish(user_id=plan.user_id, view=plan.view))
    elif isinstance(plan, Call):
        plan.run()
    return None


def _post(slack: Slack, job: Job, plan: Post) -> Sent:
    meta = metadata(job.handoff_id or 0, job.kind, job.level, job.booking_id)
    channel = plan.channel
    if job.attempts > 1:
        # An earlier sender may have reached Slack before it died or lost the answer.
        if channel[:1] in ("U", "W"):
            channel = slack.dm_channel([channel])
        found = slack.find(channel, meta, plan.thread_ts)
        if found is not None:
            text = str(plan.content.get("text", ""))
            return Sent(
                job.handoff_id, job.kind, job.level, channel, found, text, plan.thread_ts, True
            )
    options: dict[str, object] = {"metadata": meta}
    if plan.thread_ts:
        options["thread_ts"] = plan.thread_ts
        if plan.broadcast:
            options["reply_broadcast"] = True
    posted_in, ts = slack.post(channel, plan.content, **options)
    return Sent(
        job.handoff_id,
        job.kind,
        job.level,
        posted_in,
        ts,
        str(plan.content.get("text", "")),
        plan.thread_ts,
    )


# A Home is republished by the next change anyway; the report itself is not reported; a
# call outside Slack is not a message the managers' report could name (the CRM tells them
# of what they must fix itself).
UNREPORTED = (
    MessageKind.HOME,
    MessageKind.STUCK,
    MessageKind.CRM,
    MessageKind.CRM_PROBLEM,
    MessageKind.WEBHOOK,
)


def _failed(uow: UnitOfWork, job: Job, exc: Exception, now: datetime) -> None:
    error = _describe(exc)
    wait = BACKOFF[min(job.attempts, len(BACKOFF)) - 1]
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        wait = max(wait, timedelta(seconds=retry_after(exc)))
    fields = _log_fields(job, exc)
    if isinstance(exc, OutsideError):
        wait = max(wait, exc.wait)
        if exc.tell:
            uow.outbox.add(exc.tell, now=now)
    if isinstance(exc, SlackApiError | OSError | OutsideError):
        log.warning("%s: not sent (%s); tried again in %s", job.key, error, wait, extra=fields)
    else:
        log.error(
            "%s: failed (%s); tried again in %s", job.key, error, wait, exc_info=exc, extra=fields
        )
    uow.outbox.retry(job, now=now, error=error, after=wait)
    if job.attempts == REPORT_AFTER and job.handoff_id and job.kind not in UNREPORTED:
        # An operator error, once per streak; the managers' DM once per handoff (its key).
        log.error(
            "%s: still not sent after %d tries (%s); the managers are told",
            job.key,
            job.attempts,
            error,
            extra=fields,
        )
        uow.outbox.add([Effect(MessageKind.STUCK, job.team_id, job.handoff_id)], now=now)


def _log_fields(job: Job, exc: Exception) -> dict[str, object]:
    fields: dict[str, object] = {"handoff_id": job.handoff_id, "outbox_kind": job.kind}
    if isinstance(exc, SlackApiError):
        fields["slack_method"] = method_of(exc.response.api_url)
        fields["slack_error"] = _describe(exc)
    return fields


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"[:200]
