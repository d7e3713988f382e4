"""The sweep: arm every chase that is due, then send everything the outbox still holds.

`run_sweep(services, now=…)` is what the scheduler, `handoff chase` and the tests call.
Which chases are due comes from handoff.chasing (pure); this module only reads the
database, writes the chases it decided into the outbox, and sends what is due there:
chases, and whatever a request's own delivery could not send (Slack down, a crash).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.delivery.pacing import Slack
from bot.delivery.sender import Outcome, Sent, deliver_due
from bot.services import Services
from handoff.businesstime import BusinessClock
from handoff.chasing import ChaseKind, due_chases
from handoff.effects import Effect
from handoff.model import MessageKind

log = logging.getLogger(__name__)


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
    report = SweepReport()
    report.add(deliver_due(services, slack))
    return report


def _arm_chases(services: Services, now: datetime) -> None:
    clock = BusinessClock(services.config.policy)
    if clock.is_quiet(now):
        return
    managers = bool(services.settings.managers)
    with services.uow() as uow:
        candidates = uow.handoffs.chase_candidates()
        entries = uow.outbox.entries([h.id for h in candidates], [k.value for k in ChaseKind])
        sent_at: dict[int, dict[tuple[str, int], datetime | None]] = {}
        for e in entries:
            sent_at.setdefault(e.handoff_id, {})[(e.kind, e.level)] = e.sent_at
        effects = [
            Effect(MessageKind(chase.kind.value), handoff.team_id, handoff.id, chase.level)
            for handoff in candidates
            for chase in due_chases(
                handoff, sent=sent_at.get(handoff.id, {}), clock=clock, now=now, managers=managers
            )
        ]
        # Already armed ones are left as they are: each chase exists once.
        uow.outbox.add(effects, now=now)
