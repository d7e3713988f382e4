"""Sending outbox rows: claim, render from the database, call Slack, record.

The row was written in the transaction that made the change, so nothing is lost whatever
happens here: a failed call releases the row for a later try (backing off), a sender that
dies leaves a lease that runs out, and whoever takes a post over first looks in Slack for
the message by its metadata, so it is never posted twice. A sync re-armed while it was
being sent is sent again at once: Slack always ends on the latest state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.delivery.crashpoints import crash_at
from bot.delivery.pacing import Slack, metadata, retry_after
from bot.delivery.planners import PLANNERS
from bot.delivery.plans import Later, Nothing, Plan, Post, Publish, Update
from bot.services import Services
from storage.outbox import Job

log = logging.getLogger(__name__)

# How long a row waits after its n-th failed try (the last step repeats).
BACKOFF = tuple(timedelta(minutes=m) for m in (0, 1, 2, 5, 10, 30))
ROUNDS = 3  # a sync re-armed this often while being sent waits for the sweep


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

    @classmethod
    def empty(cls) -> Outcome:
        return cls([], [], [], [])

    def extend(self, other: Outcome) -> None:
        self.sent += other.sent
        self.updated += other.updated
        self.published += other.published
        self.failed += other.failed


def deliver(services: Services, row_ids: Iterable[int], slack: Slack) -> Outcome:
    """Send these rows, in order, each until Slack shows what the database says."""
    outcome = Outcome.empty()
    for row_id in row_ids:
        outcome.extend(deliver_row(services, row_id, slack))
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


def deliver_row(services: Services, row_id: int, slack: Slack) -> Outcome:
    outcome = Outcome.empty()
    for _ in range(ROUNDS):
        with services.uow() as uow:
            job = uow.outbox.claim(row_id, now=services.now())
        if job is None:
            break  # not due, sent already, or another sender holds it
        crash_at("after_claim")
        latest = _attempt(services, slack, job, outcome)
        if latest:
            break
    return outcome


def _attempt(services: Services, slack: Slack, job: Job, outcome: Outcome) -> bool:
    """One try at `job`; True when nothing newer is waiting (or it failed and waits)."""
    planner = PLANNERS.get(job.kind)
    try:
        if planner is None:
            raise LookupError(f"no planner for outbox kind {job.kind!r}")
        plan = planner(services, slack, job)
        result = _execute(slack, job, plan)
    except Later as later:
        with services.uow() as uow:
            uow.outbox.later(job, now=services.now(), after=later.after)
        log.info("%s: not yet (%s)", job.key, later.why)
        return True
    except Exception as exc:  # a row must never be lost to an unexpected error
        _failed(services, job, exc)
        outcome.failed.append(job)
        return True
    crash_at("after_send")
    with services.uow() as uow:
        if isinstance(plan, Nothing):
            uow.outbox.nothing_to_send(job, now=services.now())
            return True
        channel, ts = (result.channel, result.ts) if result else (None, None)
        latest = uow.outbox.done(job, now=services.now(), channel=channel, ts=ts)
        if isinstance(plan, Post) and plan.record and result:
            plan.record(uow, result.channel, result.ts)
        if isinstance(plan, Update) and plan.record:
            plan.record(uow)
        followers = list(uow.outbox.written)
    if followers:  # what recording it armed (the booker's Home once a brief is posted)
        outcome.extend(deliver(services, followers, slack))
    if result is not None:
        outcome.sent.append(result)
    elif isinstance(plan, Update):
        outcome.updated.append(job)
    elif isinstance(plan, Publish):
        outcome.published.append(job)
    return latest


def _execute(slack: Slack, job: Job, plan: Plan) -> Sent | None:
    if isinstance(plan, Post):
        return _post(slack, job, plan)
    if isinstance(plan, Update):
        for channel, ts in plan.targets:
            slack.update(channel, ts, plan.content)
    elif isinstance(plan, Publish):
        slack.call(lambda c: c.views_publish(user_id=plan.user_id, view=plan.view))
    return None


def _post(slack: Slack, job: Job, plan: Post) -> Sent:
    meta = metadata(job.handoff_id or 0, job.kind, job.level)
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


def _failed(services: Services, job: Job, exc: Exception) -> None:
    error = _describe(exc)
    wait = BACKOFF[min(job.attempts, len(BACKOFF)) - 1]
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        wait = max(wait, timedelta(seconds=retry_after(exc)))
    if isinstance(exc, SlackApiError | OSError):
        log.warning("%s: not sent (%s); tried again in %s", job.key, error, wait)
    else:
        log.exception("%s: failed (%s); tried again in %s", job.key, error, wait)
    with services.uow() as uow:
        uow.outbox.retry(job, now=services.now(), error=error, after=wait)


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"[:200]
