"""The shape of a Slack payload, checked before Bolt reads it.

Bolt and the listeners trust the shape of a payload once it is signed; one Slack never sends
(an `event` that is a list, `"actions": null`, a number for a `callback_id`) raised deep inside
them and came back as a server error. Checked here, it is the sender's error, a 400.

The shapes are what Slack documents: https://docs.slack.dev/reference/interaction-payloads,
https://docs.slack.dev/apis/events-api and https://docs.slack.dev/interactivity/implementing-slash-commands.
Only the fields Bolt or the app read are checked; any other field may be anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Obj:
    """A JSON object: the shape of each known field when present, and those it must have."""

    fields: dict[str, Any]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf:
    item: Any
    min_items: int = 0


@dataclass(frozen=True)
class MapOf:
    value: Any


@dataclass(frozen=True)
class OneOf:
    shapes: tuple[Any, ...]


NONE = type(None)
_USER = Obj({"id": str, "team_id": str}, required=("id",))
_TEAM = OneOf((NONE, Obj({"id": str})))
_ACTION = Obj({"action_id": str, "block_id": str, "type": str}, required=("action_id",))
# view.state.values: block_id → action_id → the element's state (bot/payloads.py reads it).
_STATE = Obj({"values": MapOf(MapOf(Obj({"type": str})))})
_VIEW = Obj(
    {
        "id": str,
        "callback_id": str,
        "private_metadata": str,
        "hash": str,
        "team_id": OneOf((NONE, str)),
        "app_installed_team_id": OneOf((NONE, str)),
        "state": _STATE,
    },
    required=("id", "callback_id"),
)
_MESSAGE = Obj({"ts": str, "thread_ts": str, "user": str, "bot_id": str, "subtype": str})
_EVENT = Obj(
    {
        "type": str,
        "subtype": str,
        "user": OneOf((str, dict)),
        "bot_id": OneOf((NONE, str)),
        "channel": OneOf((str, Obj({"id": str}))),
        "tab": str,
        "thread_ts": str,
        "message": _MESSAGE,
        "previous_message": _MESSAGE,
    },
    required=("type",),
)
_FIELDS: dict[str, Any] = {
    "type": str,
    "token": str,
    "team_id": str,
    "enterprise_id": OneOf((NONE, str)),
    "api_app_id": str,
    "trigger_id": str,
    "response_url": str,
    "callback_id": str,
    "action_id": str,
    "user_id": str,
    "channel_id": str,
    "command": str,
    "challenge": str,
    "event_id": str,
    "user": _USER,
    "team": _TEAM,
    "enterprise": OneOf((NONE, str, Obj({"id": str}))),
    "view": _VIEW,
    "actions": ListOf(_ACTION, min_items=1),
    "container": dict,
    "channel": Obj({"id": str}),
    "message": _MESSAGE,
    "state": _STATE,
    "event": _EVENT,
    "authorizations": ListOf(Obj({"team_id": OneOf((NONE, str)), "user_id": str})),
    "response_urls": ListOf(Obj({"response_url": str})),
}
# What Slack always sends with each payload type the app may be sent.
_REQUIRED = {
    "block_actions": ("user", "actions", "trigger_id"),
    "view_submission": ("user", "view", "trigger_id"),
    "view_closed": ("user", "view"),
    "shortcut": ("user", "callback_id", "trigger_id"),
    "message_action": ("user", "callback_id", "trigger_id", "channel", "message"),
    "block_suggestion": ("user", "action_id"),
    "event_callback": ("event",),
    "url_verification": ("challenge",),
}
# A slash command has no type; it is a form whose every value is text.
_COMMAND_REQUIRED = ("user_id", "trigger_id")


def problem(body: Any) -> str | None:
    """What is wrong with the payload's shape, or None when Slack could have sent it."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    kind = body.get("type")
    required = _REQUIRED.get(kind, ()) if isinstance(kind, str) else ()
    if "command" in body and "type" not in body:
        required = _COMMAND_REQUIRED
    return _check(body, Obj(_FIELDS, required), "")


def _check(value: Any, shape: Any, where: str) -> str | None:
    if isinstance(shape, OneOf):
        if any(_check(value, s, where) is None for s in shape.shapes):
            return None
        return f"{where or 'the payload'} has an unexpected type"
    if isinstance(shape, type):
        return None if isinstance(value, shape) else f"{where} is not a {shape.__name__}"
    if isinstance(shape, ListOf):
        if not isinstance(value, list) or len(value) < shape.min_items:
            return f"{where} is not a list of at least {shape.min_items}"
        return _first(_check(v, shape.item, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(shape, MapOf):
        if not isinstance(value, dict):
            return f"{where} is not an object"
        return _first(_check(v, shape.value, f"{where}.{k}") for k, v in value.items())
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for name in shape.required:
        if name not in value:
            return f"{where}.{name} is missing".lstrip(".")
    return _first(
        _check(value[name], sub, f"{where}.{name}".lstrip("."))
        for name, sub in shape.fields.items()
        if name in value
    )


def _first(problems: Any) -> str | None:
    return next((p for p in problems if p is not None), None)
