"""Every callback_id, action_id and block_id the bot uses; templates and tests use these too."""

from enum import StrEnum

COMMAND = "/handoff"


class Callback(StrEnum):
    QUALIFY = "handoff_qualify"
    REJECT = "handoff_reject_reason"
    NEW_SHORTCUT = "handoff_new"
    MESSAGE_SHORTCUT = "handoff_from_message"


class Action(StrEnum):
    ACCEPT = "handoff_accept"
    REJECT = "handoff_reject"
    NEW_HANDOFF = "handoff_new_from_home"
    # Every input element answers under this id; its block_id says which field.
    ANSWER = "answer"


class Block(StrEnum):
    BRIEF_ACTIONS = "brief_actions"
    REJECT_REASON = "reject_reason"
    REJECT_COMMENT = "reject_comment"
    HOME_ACTIONS = "home_actions"
