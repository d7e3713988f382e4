"""Every callback_id, action_id and block_id the bot uses; templates and tests use these too."""

from enum import StrEnum

COMMAND = "/handoff"


class Callback(StrEnum):
    QUALIFY = "handoff_qualify"
    REJECT = "handoff_reject_reason"
    NEW_SHORTCUT = "handoff_new"
    MESSAGE_SHORTCUT = "handoff_from_message"
    ADD_PERSON = "handoff_add_person"
    WITHDRAW = "handoff_withdraw_confirm"
    REASSIGN = "handoff_reassign"
    RESCHEDULE = "handoff_reschedule"
    DISPUTE = "handoff_dispute_case"
    OVERTURN = "handoff_overturn_pick_ae"


class Action(StrEnum):
    ACCEPT = "handoff_accept"
    REJECT = "handoff_reject"
    NEW_HANDOFF = "handoff_new_from_home"
    BACK = "handoff_wizard_back"
    ADD_PERSON = "handoff_person_add"
    REMOVE_PERSON = "handoff_person_remove"
    # The brief's and the Home tab's overflow menu: edit or withdraw (the booker only).
    MANAGE = "handoff_manage"
    RESUME_DRAFT = "handoff_draft_resume"
    DISCARD_DRAFT = "handoff_draft_discard"
    REASSIGN = "handoff_reassign_open"
    NUDGE = "handoff_nudge_channel"
    # One per outcome button: action_ids must be unique within their block.
    OUTCOME_OPPORTUNITY = "handoff_outcome_held_opportunity"
    OUTCOME_NO_FIT = "handoff_outcome_held_no_fit"
    OUTCOME_NO_SHOW = "handoff_outcome_no_show"
    OUTCOME_RESCHEDULED = "handoff_outcome_rescheduled"
    # The SDR's rejection DM, then the managers' DM about the dispute.
    DISPUTE = "handoff_dispute_open"
    DISPUTE_UPHOLD = "handoff_dispute_uphold"
    DISPUTE_OVERTURN = "handoff_dispute_overturn"
    # The SDR's DM about a meeting booked in a scheduling tool: open the wizard prefilled.
    QUALIFY_BOOKING = "handoff_booking_qualify"
    # The managers' DM about a booking whose booker nobody in Slack matches: who booked it.
    ASSIGN_BOOKING = "handoff_booking_assign"
    # Every input element answers under this id; its block_id says which field.
    ANSWER = "answer"


class Block(StrEnum):
    BRIEF_ACTIONS = "brief_actions"
    REJECT_REASON = "reject_reason"
    REJECT_COMMENT = "reject_comment"
    HOME_ACTIONS = "home_actions"
    WIZARD_NAV = "wizard_nav"
    PEOPLE_ACTIONS = "people_actions"
    PERSON_NAME = "person_name"
    PERSON_TITLE = "person_title"
    PERSON_ROLE = "person_role"
    ESCALATION_ACTIONS = "escalation_actions"
    OUTCOME_ACTIONS = "outcome_actions"
    REASSIGN_TO = "reassign_to"
    RESCHEDULE_TO = "reschedule_to"
    DECISION_ACTIONS = "decision_actions"
    DISPUTE_CASE = "dispute_case"
    DISPUTE_ACTIONS = "dispute_actions"
    BOOKING_ACTIONS = "booking_actions"
    OVERTURN_TO = "overturn_to"
    # Home repeats a block per handoff, so these are prefixes: "home_pending_12".
    HOME_PENDING = "home_pending_"
    HOME_OUTCOME = "home_outcome_"
    # The managers' DM about an unmatched booking: "booking_assign_7".
    BOOKING_ASSIGN = "booking_assign_"
