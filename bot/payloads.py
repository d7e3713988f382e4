"""Reading Slack payloads into small typed values, validated on the way in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import ids


def state_value(element: Mapping[str, Any] | None) -> object:
    """The answer an input element holds, in the shape Slack sends for its type."""
    if not element:
        return None
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons", "external_select"):
        option = element.get("selected_option")
        return option.get("value") if option else None
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "datetimepicker":
        return element.get("selected_date_time")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind in ("multi_static_select", "checkboxes"):
        return [o.get("value") for o in element.get("selected_options") or []]
    return element.get("value")


def answers(view: Mapping[str, Any]) -> dict[str, object]:
    """Every input of a modal that answers a question, keyed by its block id (the field)."""
    values = (view.get("state") or {}).get("values") or {}
    return {
        str(block_id): state_value(block.get(ids.Action.ANSWER))
        for block_id, block in values.items()
        if isinstance(block, dict) and ids.Action.ANSWER in block
    }


def metadata_id(view: Mapping[str, Any], key: str) -> int | None:
    """An integer id from private_metadata (`{"draft": 12}`), None if absent or tampered."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class WizardState:
    """What a wizard modal shows: its draft, the step, and the draft's rev at that step."""

    draft: int
    step: int
    rev: int

    def metadata(self) -> str:
        return json.dumps({"draft": self.draft, "step": self.step, "rev": self.rev})


def wizard_state(view: Mapping[str, Any]) -> WizardState | None:
    """The wizard state a modal carries in private_metadata; None if absent or tampered."""
    draft = metadata_id(view, "draft")
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return None
    step, rev = (data.get(k) if isinstance(data, dict) else None for k in ("step", "rev"))
    valid = all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (step, rev))
    if draft is None or not valid:
        return None
    assert isinstance(step, int) and isinstance(rev, int)
    return WizardState(draft, step, rev)


def button_id(body: Mapping[str, Any]) -> int | None:
    """The handoff id a brief button carries in its value."""
    actions = body.get("actions") or []
    value = str(actions[0].get("value", "")) if actions else ""
    return int(value) if value.isdigit() else None


def team_id(body: Mapping[str, Any]) -> str:
    team = body.get("team") or {}
    return str(
        team.get("id") or body.get("team_id") or (body.get("user") or {}).get("team_id") or ""
    )


def user_id(body: Mapping[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id", ""))
