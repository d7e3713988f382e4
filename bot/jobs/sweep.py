"""The chase sweep: post what failed to post, then send every chase that is due, once.

`run_sweep(services, now=…)` is what the scheduler, `handoff chase` and the
tests call. Decisions come from handoff.chasing (pure); this module only reads
the database, asks Slack, and records what it sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.delivery import dispute_notices, followups
from bot.delivery.brief_sync import notify_sdr, sync_brief
from bot.delivery.outbox import Draft, Outbox, Sent, permalink, send_once
from bot.services import Services
from bot.surfaces.chase_messages import (
    business_span,
    escalation_message,
    outcome_question,
    reminder_message,
)
from bot.surfaces.render import user
from handoff.businesstime import BusinessClock
from handoff.chasing import Chase, ChaseKind, due_chases
from handoff.model import Handoff, MessageKind
from storage import ledger

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """What one sweep did, one line per message for `handoff chase`."""

    sent: list[Sent] = field(default_factory=list)
    briefs: list[int] = field(default_factory=list)  # posted for the first time
    updated: list[int] = field(default_factory=list)  # brought up to date
    skipped: str | None = None  # why nothing ran (another sweep holds the lock)
    digest: Any = None  # bot.digest.DigestReport when the scheduler's sweep checked the digest

    def lines(self) -> list[str]:
        out = [f"brief #{h} posted (its first post had failed)" for h in self.briefs]
        out += [f"brief #{h} updated to its current state" for h in self.updated]
        for s in self.sent:
            where = f"{s.channel} thread {s.thread_ts}" if s.thread_ts else s.channel
            note = " (found already posted)" if s.recovered else ""
            out.append(f"{s.kind} #{s.handoff_id} level {s.level} → {where}{note}: {s.text}")
        return out


def run_sweep(services: Services, *, now: datetime, outbox: Outbox | None = None) -> SweepReport:
    # Everything in this sweep, ledger claims included, happens as of `now`.
    services = replace(services, now=lambda: now)
    outbox = outbox or Outbox.for_services(services)
    report = SweepReport()
    _deliver(services, outbox, report)
    _chase(services, outbox, now, report)
    return report


def _deliver(services: Services, outbox: Outbox, report: SweepReport) -> None:
    """Briefs Slack is behind on, and one-shot messages whose send failed before."""
    with services.unit() as repo:
        behind = repo.unsynced()
        unsent = ledger.unsent(repo.session, now=services.now())
    for handoff_id in behind:
        with services.unit() as repo:
            handoff = repo.get(handoff_id)
        first = handoff is not None and handoff.brief_ts is None
        if sync_brief(services, handoff_id, outbox=outbox):
            (report.briefs if first else report.updated).append(handoff_id)
    for claim in unsent:
        if claim.kind == MessageKind.DECISION_DM:
            notify_sdr(services, claim.handoff_id)
        elif claim.kind in dispute_notices.KINDS:
            sent = dispute_notices.resend(services, outbox, claim)
            if sent:
                report.sent.append(sent)
        elif claim.kind != MessageKind.BRIEF:
            sent = followups.resend(services, outbox, claim)
            if sent:
                report.sent.append(sent)


def _chase(services: Services, outbox: Outbox, now: datetime, report: SweepReport) -> None:
    clock = BusinessClock(services.config.policy)
    if clock.is_quiet(now):
        return
    managers = list(services.settings.managers)
    with services.unit() as repo:
        candidates = repo.chase_candidates()
        entries = ledger.entries(
            repo.session, [h.id for h in candidates], [k.value for k in ChaseKind]
        )
    sent_at: dict[int, dict[tuple[str, int], datetime | None]] = {}
    for e in entries:
        sent_at.setdefault(e.handoff_id, {})[(e.kind, e.level)] = e.sent_at
    for handoff in candidates:
        chases = due_chases(
            handoff,
            sent=sent_at.get(handoff.id, {}),
            clock=clock,
            now=now,
            managers=bool(managers),
        )
        for chase in chases:
            sent = _send(services, outbox, handoff, chase, clock, managers, now)
            if sent:
                report.sent.append(sent)


def _send(
    services: Services,
    outbox: Outbox,
    handoff: Handoff,
    chase: Chase,
    clock: BusinessClock,
    managers: list[str],
    now: datetime,
) -> Sent | None:
    policy, config = clock.policy, services.config
    draft: Callable[[], Draft | None]
    if chase.kind == ChaseKind.REMINDER:
        recipient = handoff.brief_channel or ""
        who = user(handoff.suggested_ae_id) if handoff.suggested_ae_id else "<!here>"
        waited = business_span(policy.response_sla_hours, clock.hours_per_day)

        def draft() -> Draft:
            content = reminder_message(handoff, config, who=who, waited=waited)
            return Draft(recipient, content, thread_ts=handoff.brief_ts)

    elif chase.kind == ChaseKind.ESCALATION:
        recipient = ",".join(managers)[:32]
        waited = business_span(
            policy.escalation_sla_days * clock.hours_per_day, clock.hours_per_day
        )

        def draft() -> Draft:
            channel = outbox.dm_channel(managers)
            link = permalink(outbox, handoff.brief_channel, handoff.brief_ts)
            content = escalation_message(handoff, config, link=link, waited=waited)
            return Draft(channel, content)

    else:
        ae = handoff.ae_id or ""
        recipient = ae

        def draft() -> Draft:
            channel = outbox.dm_channel([ae])
            return Draft(channel, outcome_question(handoff, config, nth=chase.nth))

    return send_once(
        services,
        outbox,
        handoff_id=handoff.id,
        kind=chase.kind.value,
        level=chase.level,
        recipient=recipient,
        draft=draft,
        now=now,
    )
