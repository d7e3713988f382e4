"""Which planner renders each kind of outbox row."""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery import (
    booking_notices,
    brief_sync,
    chase_notices,
    crm_sync,
    dispute_notices,
    followups,
    home_updates,
    meeting_notices,
    webhook_calls,
)
from bot.delivery.pacing import Slack
from bot.delivery.plans import Plan
from bot.services import Services
from handoff.model import MessageKind
from storage.outbox import Job

Planner = Callable[[Services, Slack, Job], Plan]

PLANNERS: dict[str, Planner] = {
    MessageKind.BRIEF: brief_sync.plan_brief,
    MessageKind.DECISION_DM: brief_sync.plan_decision_dm,
    MessageKind.DECISION_DM_UPDATE: brief_sync.plan_decision_dm_update,
    MessageKind.CHASE_REMINDER: chase_notices.plan_reminder,
    MessageKind.CHASE_ESCALATION: chase_notices.plan_escalation,
    MessageKind.CHASE_OUTCOME: chase_notices.plan_outcome_question,
    MessageKind.OUTCOME_THREAD: followups.plan_outcome_thread,
    MessageKind.OUTCOME_SDR: followups.plan_outcome_sdr,
    MessageKind.OUTCOME_DMS_UPDATE: followups.plan_outcome_dms_update,
    MessageKind.REASSIGN_THREAD: followups.plan_reassign_thread,
    MessageKind.NUDGE: followups.plan_nudge,
    MessageKind.DISPUTE: dispute_notices.plan_dispute,
    MessageKind.DISPUTE_RESULT: dispute_notices.plan_dispute_result,
    MessageKind.DISPUTE_THREAD: dispute_notices.plan_dispute_thread,
    MessageKind.DISPUTE_DM_UPDATE: dispute_notices.plan_dispute_dm_update,
    MessageKind.HOME: home_updates.plan_home,
    MessageKind.STUCK: chase_notices.plan_stuck,
    MessageKind.BOOKING_DM: booking_notices.plan_booking_dm,
    MessageKind.BOOKING_UNMATCHED: booking_notices.plan_unmatched,
    MessageKind.BOOKING_REMINDER: booking_notices.plan_booking_reminder,
    MessageKind.MEETING_THREAD: meeting_notices.plan_meeting_thread,
    MessageKind.MEETING_AE: meeting_notices.plan_meeting_ae,
    MessageKind.CRM: crm_sync.plan_crm,
    MessageKind.CRM_PROBLEM: crm_sync.plan_crm_problem,
    MessageKind.WEBHOOK: webhook_calls.plan_webhook,
}
