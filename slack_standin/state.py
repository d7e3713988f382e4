"""What a user's input looks like in Slack payloads: ``view.state.values`` and ``actions[]``.

Shapes follow https://docs.slack.dev/reference/interaction-payloads/block_actions-payload and
https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload.
Helpers raise ValueError when a test asks for something the Slack client would never send (an
unknown action_id, a value that is not one of the options, an empty required input), so a test
cannot pass against ids or options the app does not render.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

UNANSWERED: Any = object()

_TEXT_VALUE = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
_ONE_OPTION = {"static_select", "external_select", "radio_buttons"}
_MANY_OPTIONS = {"multi_static_select", "multi_external_select", "checkboxes"}
# element type -> (state key, initial key)
_PICKERS = {
    "users_select": ("selected_user", "initial_user"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_users_select": ("selected_users", "initial_users"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
# Elements that report no state: pressing them is an action, not a value.
_STATELESS = {"button", "overflow", "workflow_button", "image", "plain_text", "mrkdwn"}


@dataclass(frozen=True)
class InputSlot:
    """One input block of a view: where its answer goes in ``state.values``."""

    block_id: str
    action_id: str
    element: dict[str, Any]
    optional: bool

    @property
    def key(self) -> str:
        return f"{self.block_id}.{self.action_id}"


def input_slots(view: dict[str, Any]) -> list[InputSlot]:
    slots = []
    for block in view.get("blocks") or []:
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        element = block["element"]
        slots.append(
            InputSlot(
                block_id=block["block_id"],
                action_id=element["action_id"],
                element=element,
                optional=bool(block.get("optional", False)),
            )
        )
    return slots


def match_answers(slots: list[InputSlot], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers re-keyed by ``slot.key``; a key is an ``action_id`` or ``block_id.action_id``."""
    matched: dict[str, Any] = {}
    for key, answer in answers.items():
        by_action = [s for s in slots if s.action_id == key]
        if len(by_action) > 1:
            keys = ", ".join(s.key for s in by_action)
            raise ValueError(f"action_id {key!r} is ambiguous; use one of: {keys}")
        candidates = by_action or [s for s in slots if s.key == key]
        if not candidates:
            known = ", ".join(s.key for s in slots) or "(no input blocks)"
            raise ValueError(f"no input {key!r} in the view; inputs are: {known}")
        matched[candidates[0].key] = answer
    return matched


def find_element(blocks: list[Any], block_id: str, action_id: str) -> dict[str, Any]:
    """The interactive element ``block_id``/``action_id`` among ``blocks``."""
    for block in blocks:
        if not isinstance(block, dict) or block.get("block_id") != block_id:
            continue
        candidates = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
        raise ValueError(f"block {block_id!r} has no element with action_id {action_id!r}")
    known = [b.get("block_id") for b in blocks if isinstance(b, dict)]
    raise ValueError(f"no block {block_id!r}; block_ids are: {known}")


def state_entry(element: dict[str, Any], answer: Any = UNANSWERED) -> dict[str, Any]:
    """``state.values[block_id][action_id]`` for ``element`` after the user's ``answer``.

    An unanswered element reports its initial value, or null (``[]`` for multi-value elements),
    as Slack does.
    """
    kind = element.get("type")
    unanswered = answer is UNANSWERED
    entry: dict[str, Any] = {"type": kind}
    if kind in _TEXT_VALUE:
        value = element.get("initial_value") if unanswered else _text_answer(element, answer)
        entry["value"] = None if value is None else str(value)
    elif kind in _ONE_OPTION:
        initial = copy.deepcopy(element.get("initial_option"))
        entry["selected_option"] = initial if unanswered else option_for(element, answer)
    elif kind in _MANY_OPTIONS:
        initial = copy.deepcopy(element.get("initial_options") or [])
        chosen = None if unanswered else [option_for(element, a) for a in _as_list(answer)]
        entry["selected_options"] = initial if chosen is None else chosen
    elif kind in _PICKERS:
        state_key, initial_key = _PICKERS[kind]
        multi = kind.startswith("multi_")
        default = element.get(initial_key, [] if multi else None)
        entry[state_key] = copy.deepcopy(default) if unanswered else _picked(kind, answer)
        if kind == "timepicker" and element.get("timezone"):
            entry["timezone"] = element["timezone"]
    elif kind == "rich_text_input":
        entry["rich_text_value"] = (
            copy.deepcopy(element.get("initial_value")) if unanswered else _rich_text(answer)
        )
    elif kind == "file_input":
        entry["files"] = [] if unanswered else list(_as_list(answer))
    else:
        raise ValueError(f"element type {kind!r} has no state value")
    return entry


def is_empty(entry: dict[str, Any]) -> bool:
    values = [v for k, v in entry.items() if k not in ("type", "timezone")]
    return all(v is None or v == [] or v == "" for v in values)


def is_stateful(element: dict[str, Any]) -> bool:
    return element.get("type") not in _STATELESS


def option_for(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    """The full option object the user picked, looked up by value among the element's options."""
    value = answer.get("value") if isinstance(answer, dict) else answer
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if not options and element.get("type", "").endswith("external_select"):
        # External selects load options from the app at run time; trust the test's choice.
        if isinstance(answer, dict):
            return copy.deepcopy(answer)
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for option in options:
        if option.get("value") == str(value):
            return copy.deepcopy(option)
    values = [o.get("value") for o in options]
    action_id = element.get("action_id")
    raise ValueError(f"{value!r} is not an option of {action_id!r}; options: {values}")


def action_entry(
    element: dict[str, Any],
    block_id: str,
    *,
    value: Any = None,
    selected_option: dict[str, Any] | None = None,
    action_ts: str,
) -> dict[str, Any]:
    """One ``actions[]`` item of a block_actions payload for a click/choice on ``element``."""
    kind = element.get("type")
    action: dict[str, Any] = {
        "type": kind,
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": action_ts,
    }
    if kind in ("button", "workflow_button"):
        action["text"] = copy.deepcopy(element.get("text"))
        button_value = element.get("value") if value is None else value
        if button_value is not None:
            action["value"] = str(button_value)
        if element.get("style"):
            action["style"] = element["style"]
    elif kind == "overflow" or kind in _ONE_OPTION:
        if selected_option is None and value is None:
            raise ValueError(f"{kind} action needs value= or selected_option=")
        action["selected_option"] = option_for(element, selected_option or value)
    else:
        if value is None:
            raise ValueError(f"{kind} action needs value=")
        entry = state_entry(element, value)
        entry.pop("type")
        action.update(entry)
    return action


def _as_list(answer: Any) -> list[Any]:
    return list(answer) if isinstance(answer, (list, tuple, set, frozenset)) else [answer]


def _text_answer(element: dict[str, Any], answer: Any) -> str | None:
    if answer is None:
        return None
    text = str(answer)
    if element.get("type") == "number_input" and text:
        _check_number(element, text)
    if element.get("type") == "plain_text_input" and text:
        low, high = element.get("min_length", 0), element.get("max_length", 3000)
        if not low <= len(text) <= high:
            raise ValueError(
                f"{len(text)} characters for {element.get('action_id')!r}; Slack's "
                f"client only submits {low}..{high}"
            )
    return text


def _check_number(element: dict[str, Any], text: str) -> None:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not element.get("is_decimal_allowed") and not number.is_integer():
        raise ValueError(f"{text!r}: decimals are not allowed in {element.get('action_id')!r}")
    low, high = element.get("min_value"), element.get("max_value")
    if (low is not None and number < float(low)) or (high is not None and number > float(high)):
        raise ValueError(f"{text!r} is outside {low}..{high} for {element.get('action_id')!r}")


def _picked(kind: str, answer: Any) -> Any:
    if answer is None:
        return [] if kind.startswith("multi_") else None
    if kind.startswith("multi_"):
        return [str(a) for a in _as_list(answer)]
    if kind == "datepicker":
        return answer.isoformat() if isinstance(answer, dt.date) else str(answer)
    if kind == "timepicker":
        return answer.strftime("%H:%M") if isinstance(answer, dt.time) else str(answer)
    if kind == "datetimepicker":
        # Slack sends UNIX seconds as an integer.
        return int(answer.timestamp()) if isinstance(answer, dt.datetime) else int(answer)
    return str(answer)


def _rich_text(answer: Any) -> Any:
    if not isinstance(answer, str):
        return copy.deepcopy(answer)
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": answer}]}],
    }
