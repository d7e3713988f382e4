"""What the scheduling tool did to a qualified meeting (moved it, canceled it), told in the
brief's thread and to the AE who owns it. Row level n renders the nth such change."""

from __future__ import annotations

from datetime import datetime

from bot.delivery.brief_sync import handoff_of
from bot.delivery.followups import thread_note
from bot.delivery.pacing import Slack
from bot.delivery.plans import Nothing, Plan, Post
from bot.services import Services
from bot.surfaces.booking_messages import TOOL_NAMES
from bot.surfaces.notices import note
from bot.surfaces.render import escape_mrkdwn, slack_date
from handoff.model import Event, Handoff
from storage.outbox import Job

CHANGES = ("meeting_moved", "canceled")


def plan_meeting_thread(services: Services, slack: Slack, job: Job) -> Plan:
    found = _change(services, job)
    if found is None:
        return Nothing("no such change of the meeting")
    handoff, event = found
    return thread_note(handoff, change_line(event))


def plan_meeting_ae(services: Services, slack: Slack, job: Job) -> Plan:
    found = _change(services, job)
    if found is None:
        return Nothing("no such change of the meeting")
    handoff, event = found
    ae = handoff.reassigned_ae_id or handoff.decided_by
    if not ae:
        return Nothing("no AE took the meeting")
    company = escape_mrkdwn(handoff.qualification.company[:150])
    text = f"Your meeting with *{company}*: {change_line(event)}"
    return Post(ae, note(text, f"Handoff #{handoff.id}"))


def change_line(event: Event) -> str:
    tool = tool_name(str(event.data.get("by", "")))
    if event.kind == "canceled":
        line = f"🚫 *Canceled* in {tool}; nothing more to decide or log."
        reason = str(event.data.get("reason") or "")
        if reason:
            line += f"\n*Reason given:* {escape_mrkdwn(reason[:300])}"
        return line
    moved_from, moved_to = str(event.data.get("from", "")), str(event.data.get("to", ""))
    return f"🗓️ *Moved* in {tool}: from {_when(moved_from)} to *{_when(moved_to)}*."


def tool_name(tool: str) -> str:
    return TOOL_NAMES.get(tool, escape_mrkdwn(tool[:40]) or "the scheduling tool")


def _when(iso: str) -> str:
    try:
        return slack_date(datetime.fromisoformat(iso))
    except ValueError:
        return "an unknown time"


def _change(services: Services, job: Job) -> tuple[Handoff, Event] | None:
    handoff = handoff_of(services, job)
    if handoff is None or job.level < 1:
        return None
    with services.uow(read_only=True) as uow:
        changes = [e for e in uow.handoffs.events(handoff.id) if e.kind in CHANGES]
    if len(changes) < job.level:
        return None
    return handoff, changes[job.level - 1]
