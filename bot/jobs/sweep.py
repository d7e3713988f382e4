"""The sweep: arm every chase that is due, then send everything the outbox still holds.

`run_sweep(services, now=…)` is what the scheduler, `handoff chase` and the tests call.
Which chases are due, and when to look at a handoff again, come from handoff.chasing (pure).
The sweep reads only the handoffs whose `next_chase_at` has come (an index, pages by key),
however many old ones are stored; it writes the chases it decided into the outbox, stores
when to look again, and sends what is due there:
chases, and whatever a request's own delivery could not send (Slack down, a crash).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.delivery.pacing import Slack
from bot.delivery.sender import Outcome, Sent, deliver_due
from bot.jobs.booking_intake import process_left, remind_due
from bot.observability import telemetry
from bot.services import Services
from handoff.businesstime import BusinessClock, clock_for
from handoff.chasing import ChaseKind, due_chases, next_chase_at
from handoff.effects import Effect
from handoff.model import Handoff, MessageKind
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PAGE = 500
RECHECK = timedelta(minutes=1)  # never sooner than the next sweep
EVENTS_KEPT = timedelta(days=1)


@dataclass
class SweepReport:
    """What one sweep did, one line per message for `handoff chase`."""

    sent: list[Sent] = field(default_factory=list)
    briefs: list[int] = field(default_factory=list)  # posted for the first time
    updated: list[int] = field(default_factory=list)  # brought up to date
    skipped: str | None = None  # why nothing ran (another sweep holds the lock)
    digest: Any = None  # bot.jobs.weekly_digest.DigestReport when the sweep checked the digest

    def lines(self) -> list[str]:
        out = [f"brief #{h} posted (its first post had failed)" for h in self.briefs]
        out += [f"brief #{h} updated to its current state" for h in self.updated]
        for s in self.sent:
            where = f"{s.channel} thread {s.thread_ts}" if s.thread_ts else s.channel
            note = " (found already posted)" if s.recovered else ""
            out.append(f"{s.kind} #{s.handoff_id} level {s.level} → {where}{note}: {s.text}")
        return out

    def add(self, outcome: Outcome) -> None:
        for s in outcome.sent:
            if s.kind == MessageKind.BRIEF and s.handoff_id is not None:
                self.briefs.append(s.handoff_id)
            else:
                self.sent.append(s)
        self.updated += [
            j.handoff_id
            for j in outcome.updated
            if j.kind == MessageKind.BRIEF and j.handoff_id is not None
        ]


def run_sweep(services: Services, *, now: datetime, slack: Slack | None = None) -> SweepReport:
    # Everything in this sweep, outbox claims included, happens as of `now`.
    services = replace(services, now=lambda: now)
    slack = slack or Slack.for_sweep(services.client)
    _arm_chases(services, now)
    process_left(services)  # booking deliveries a crash or a failure left in the inbox
    remind_due(services, now)  # bookings still unqualified before their meeting
    with services.uow() as uow:  # Slack stops retrying an event within the hour
        uow.events.forget_before(now - EVENTS_KEPT)
    report = SweepReport()
    outcome = deliver_due(services, slack)
    telemetry.delivered(outcome, via="sweep")
    report.add(outcome)
    return report


def _arm_chases(services: Services, now: datetime) -> None:
    """Time the chases of every handoff due for a look, page by page, arming those due."""
    clock = clock_for(services.config.policy)
    if clock.is_quiet(now):
        return  # nothing is armed in quiet hours; what is due waits for them to end
    managers = bool(services.settings.managers)
    after: tuple[datetime, int] | None = None
    while True:
        with services.uow() as uow:
            page = uow.handoffs.due_for_chase(now, after=after, limit=PAGE)
            if not page:
                return
            _time_chases(uow, page, clock, now, managers)
        last = page[-1]
        assert last.next_chase_at is not None
        after = (last.next_chase_at, last.id)


def _time_chases(
    uow: UnitOfWork, page: list[Handoff], clock: BusinessClock, now: datetime, managers: bool
) -> None:
    kinds = [k.value for k in ChaseKind]
    sent: dict[int, dict[tuple[str, int], datetime | None]] = {h.id: {} for h in page}
    for e in uow.outbox.entries([h.id for h in page], kinds):
        sent[e.handoff_id][(e.kind, e.level)] = e.sent_at
    effects: list[Effect] = []
    times: dict[int, datetime | None] = {}
    for handoff in page:
        known = sent[handoff.id]
        due = due_chases(handoff, sent=known, clock=clock, now=now, managers=managers)
        effects += [
            Effect(MessageKind(c.kind.value), handoff.team_id, handoff.id, c.level) for c in due
        ]
        known = {**known, **{(c.kind.value, c.level): None for c in due}}
        at = next_chase_at(handoff, sent=known, clock=clock, managers=managers)
        times[handoff.id] = max(at, now + RECHECK) if at else None
    # The handoff rows first, then the outbox's, as every writer takes them; each chase
    # exists once: one already armed is left as it is.
    uow.handoffs.set_next_chases(times)
    uow.outbox.add(effects, now=now)
