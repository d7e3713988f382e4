"""Messages that follow an AE's or a manager's answer: thread notes, the SDR's outcome DM,
the nudge, and the outcome DMs losing their buttons once the outcome is logged."""

from __future__ import annotations

from bot.delivery.brief_sync import handoff_of, sent_messages
from bot.delivery.pacing import Slack
from bot.delivery.plans import Later, Nothing, Plan, Post, Update
from bot.services import Services
from bot.surfaces.brief import outcome_line
from bot.surfaces.chase_messages import outcome_question
from bot.surfaces.notices import note
from bot.surfaces.render import escape_mrkdwn, slack_date, user
from handoff.model import OUTCOME_LABELS, Handoff, MeetingOutcome, MessageKind
from storage.outbox import Job


def thread_note(handoff: Handoff, text: str, *, broadcast: bool = False) -> Post:
    """A note in the brief's thread (once the brief is posted)."""
    if not (handoff.brief_channel and handoff.brief_ts):
        raise Later("the brief is not posted yet")
    content = note(text, f"Handoff #{handoff.id}")
    return Post(handoff.brief_channel, content, thread_ts=handoff.brief_ts, broadcast=broadcast)


def plan_outcome_thread(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None or handoff.outcome is None:
        return Nothing("no outcome to tell")
    return thread_note(handoff, outcome_line(handoff))


def plan_outcome_sdr(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None or handoff.outcome is None:
        return Nothing("no outcome to tell")
    company = escape_mrkdwn(handoff.qualification.company[:150])
    label = OUTCOME_LABELS[MeetingOutcome(handoff.outcome)]
    text = f"📋 Your meeting with *{company}*: *{label}*"
    if handoff.outcome == MeetingOutcome.RESCHEDULED and handoff.rescheduled_to:
        text += f" to {slack_date(handoff.rescheduled_to)}"
    text += f" (logged by {user(handoff.outcome_by)})."
    return Post(handoff.sdr_id, note(text, f"Handoff #{handoff.id}"))


def plan_reassign_thread(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None or handoff.reassigned_by is None:
        return Nothing("not reassigned")
    return thread_note(
        handoff,
        f"🔀 {user(handoff.reassigned_by)} assigned this meeting to "
        f"{user(handoff.ae_id)}. It is theirs from now on.",
    )


def plan_nudge(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None:
        return Nothing("the handoff is gone")
    text = f"📣 {user(job.recipient)} asks: can someone take this meeting? <!here>"
    return thread_note(handoff, text, broadcast=True)


def plan_outcome_dms_update(services: Services, slack: Slack, job: Job) -> Plan:
    """Replace the buttons of every outcome DM already sent with what was logged."""
    handoff = handoff_of(services, job)
    targets = sent_messages(services, job, MessageKind.CHASE_OUTCOME)
    if handoff is None or handoff.outcome is None or not targets:
        return Nothing("no outcome DM to update")
    done = outcome_line(handoff)
    return Update(targets, outcome_question(handoff, services.config, nth=1, done=done))
