"""What the chase sweep sends, planned when it is sent: the thread reminder, the managers'
escalation and the AE's outcome DM. One that is no longer true (the brief was decided, the
outcome logged meanwhile) is dropped; none goes out in quiet hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.delivery.brief_sync import handoff_of
from bot.delivery.pacing import Slack
from bot.delivery.plans import Later, Nothing, Plan, Post
from bot.services import Services
from bot.surfaces.chase_messages import (
    business_span,
    escalation_message,
    outcome_question,
    reminder_message,
    stuck_message,
)
from bot.surfaces.render import user
from handoff.businesstime import BusinessClock, clock_for
from handoff.chasing import ROUND_SIZE
from handoff.model import Handoff, MeetingOutcome, Status
from storage.outbox import Job
from storage.uow import UnitOfWork


def _retime(services: Services, job: Job) -> Callable[[UnitOfWork, str, str], None]:
    """Once a chase went out, the sweep times the next one from when it did."""

    def record(uow: UnitOfWork, channel: str, ts: str) -> None:
        if job.handoff_id is not None:
            uow.handoffs.recheck_chases(job.handoff_id, services.now())

    return record


def _chased(services: Services, job: Job) -> tuple[Handoff | None, BusinessClock]:
    clock = clock_for(services.config.policy)
    if clock.is_quiet(services.now()):
        raise Later("quiet hours", timedelta(minutes=15))
    return handoff_of(services, job), clock


def plan_reminder(services: Services, slack: Slack, job: Job) -> Plan:
    handoff, clock = _chased(services, job)
    if handoff is None or handoff.status != Status.PENDING or not handoff.brief_ts:
        return Nothing("decided meanwhile")
    policy = clock.policy
    who = user(handoff.suggested_ae_id) if handoff.suggested_ae_id else "<!here>"
    waited = business_span(policy.response_sla_hours, clock.hours_per_day)
    content = reminder_message(handoff, services.config, who=who, waited=waited)
    return Post(
        handoff.brief_channel or "",
        content,
        thread_ts=handoff.brief_ts,
        record=_retime(services, job),
    )


def plan_escalation(services: Services, slack: Slack, job: Job) -> Plan:
    handoff, clock = _chased(services, job)
    managers = list(services.settings.managers)
    if handoff is None or handoff.status != Status.PENDING or not managers:
        return Nothing("decided meanwhile, or no managers")
    hours = clock.hours_per_day
    waited = business_span(clock.policy.escalation_sla_days * hours, hours)
    channel = slack.dm_channel(managers)
    link = slack.permalink(handoff.brief_channel, handoff.brief_ts)
    content = escalation_message(handoff, services.config, link=link, waited=waited)
    return Post(channel, content, record=_retime(services, job))


def plan_outcome_question(services: Services, slack: Slack, job: Job) -> Plan:
    handoff, _ = _chased(services, job)
    if (
        handoff is None
        or handoff.status != Status.ACCEPTED
        or handoff.ae_id is None
        or handoff.outcome not in (None, MeetingOutcome.RESCHEDULED)
        or job.level // ROUND_SIZE != handoff.chase_round
    ):
        return Nothing("the outcome is known, or the meeting moved")
    nth = job.level % ROUND_SIZE
    content = outcome_question(handoff, services.config, nth=nth)
    return Post(handoff.ae_id, content, record=_retime(services, job))


def plan_stuck(services: Services, slack: Slack, job: Job) -> Plan:
    """The managers' DM about a handoff whose messages kept failing (sender.REPORT_AFTER)."""
    managers = list(services.settings.managers)
    if job.handoff_id is None or not managers:
        return Nothing("no managers to tell")
    with services.uow(read_only=True) as uow:
        handoff = uow.handoffs.get(job.handoff_id)
        failing = uow.outbox.failing(job.handoff_id)
    if handoff is None or not failing:
        return Nothing("got through meanwhile")
    link = slack.permalink(handoff.brief_channel, handoff.brief_ts)
    content = stuck_message(handoff, services.config, failing=failing, link=link)
    return Post(slack.dm_channel(managers), content)
