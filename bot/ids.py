"""Every callback_id, action_id and block_id the bot uses; templates and tests use these too."""

from enum import StrEnum

COMMAND = "/handoff"


class Callback(StrEnum):
    QUALIFY = "handoff_qualify"
    REJECT = "handoff_reject_reason"
    NEW_SHORTCUT = "handoff_new"
    MESSAGE_SHORTCUT = "handoff_from_message"
    REASSIGN = "handoff_reassign"
    RESCHEDULE = "handoff_reschedule"


class Action(StrEnum):
    ACCEPT = "handoff_accept"
    REJECT = "handoff_reject"
    NEW_HANDOFF = "handoff_new_from_home"
    REASSIGN = "handoff_reassign_open"
    NUDGE = "handoff_nudge_channel"
    # One per outcome button: action_ids must be unique within their block.
    OUTCOME_OPPORTUNITY = "handoff_outcome_held_opportunity"
    OUTCOME_NO_FIT = "handoff_outcome_held_no_fit"
    OUTCOME_NO_SHOW = "handoff_outcome_no_show"
    OUTCOME_RESCHEDULED = "handoff_outcome_rescheduled"
    # Every input element answers under this id; its block_id says which field.
    ANSWER = "answer"


class Block(StrEnum):
    BRIEF_ACTIONS = "brief_actions"
    REJECT_REASON = "reject_reason"
    REJECT_COMMENT = "reject_comment"
    HOME_ACTIONS = "home_actions"
    ESCALATION_ACTIONS = "escalation_actions"
    OUTCOME_ACTIONS = "outcome_actions"
    REASSIGN_TO = "reassign_to"
    RESCHEDULE_TO = "reschedule_to"
