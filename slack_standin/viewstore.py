"""Modal stacks, Home tabs and trigger ids, with the rules Slack applies to them.

The stack and trigger rules: https://docs.slack.dev/surfaces/modals and
https://docs.slack.dev/reference/methods/views.push.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

from .identifiers import IdFactory
from .records import ApiError, Identity

MAX_STACK_DEPTH = 3  # the root view plus two pushes (views.push docs)


@dataclass
class _Trigger:
    issued_at: float
    view_id: str | None  # the view the interaction came from, for views.push
    used: bool = False


class ViewStore:
    """Every live view by id, grouped into modal stacks. Not thread-safe: callers serialise."""

    def __init__(self, ids: IdFactory, identity: Identity, trigger_ttl: float) -> None:
        self._ids = ids
        self._identity = identity
        self._trigger_ttl = trigger_ttl
        self.views: dict[str, dict[str, Any]] = {}
        self._stacks: dict[str, list[str]] = {}  # root view id -> ids from bottom to top
        self._homes: dict[str, str] = {}  # user id -> home view id
        self._triggers: dict[str, _Trigger] = {}
        self._last_root: str | None = None

    # -- triggers -------------------------------------------------------------------------------

    def issue_trigger(self, view_id: str | None = None) -> str:
        trigger_id = self._ids.trigger_id()
        self._triggers[trigger_id] = _Trigger(time.monotonic(), view_id)
        return trigger_id

    def redeem(self, trigger_id: Any) -> _Trigger:
        """Use a trigger id once, within its lifetime, as views.open / views.push require."""
        trigger = self._triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - trigger.issued_at > self._trigger_ttl:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger

    # -- lookups --------------------------------------------------------------------------------

    def get(self, view_id: Any) -> dict[str, Any]:
        view = self.views.get(view_id) if isinstance(view_id, str) else None
        if view is None:
            raise ApiError("not_found")
        return view

    def by_external_id(self, external_id: Any) -> dict[str, Any]:
        for view in self.views.values():
            if external_id and view.get("external_id") == external_id:
                return view
        raise ApiError("not_found")

    def home(self, user_id: str) -> dict[str, Any] | None:
        view_id = self._homes.get(user_id)
        return copy.deepcopy(self.views[view_id]) if view_id else None

    # -- modal stack ----------------------------------------------------------------------------

    def open(self, view: dict[str, Any], trigger_id: Any) -> dict[str, Any]:
        self._check_external_id(view)
        self.redeem(trigger_id)
        view_id = self._ids.object_id("V")
        stored = self._materialise(view, view_id=view_id, root_view_id=view_id, previous=None)
        self.views[view_id] = stored
        self._stacks[view_id] = [view_id]
        self._last_root = view_id
        return copy.deepcopy(stored)

    def push(self, view: dict[str, Any], trigger_id: Any) -> dict[str, Any]:
        self._check_external_id(view)
        trigger = self.redeem(trigger_id)
        stack = self._stack_for(trigger.view_id)
        return self._push_onto(stack, view)

    def push_over(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """``response_action: push`` from a view_submission of ``view_id``."""
        self._check_external_id(view)
        return self._push_onto(self._stack_for(view_id), view)

    def update(
        self, view: dict[str, Any], *, view_id: Any, external_id: Any, hash_: Any
    ) -> dict[str, Any]:
        current = self.get(view_id) if view_id else self.by_external_id(external_id)
        if hash_ and hash_ != current["hash"]:
            raise ApiError("hash_conflict")
        return self.replace(current["id"], view)

    def replace(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Swap the content of a view in place: same id and stack position, a new hash."""
        current = self.get(view_id)
        block_ids = {b.get("block_id") for b in view.get("blocks") or [] if isinstance(b, dict)}
        # Slack keeps what the user typed into blocks that survive the update.
        kept = {k: v for k, v in current["state"]["values"].items() if k in block_ids}
        if not view.get("external_id") and current.get("external_id"):
            view = {**view, "external_id": current["external_id"]}
        stored = self._materialise(
            view,
            view_id=view_id,
            root_view_id=current["root_view_id"],
            previous=current["previous_view_id"],
            state_values=kept,
        )
        self.views[view_id] = stored
        return copy.deepcopy(stored)

    def close(self, view_id: str) -> None:
        """The user (or an empty view_submission ack) closed ``view_id``: pop it and any above."""
        view = self.get(view_id)
        stack = self._stacks.get(view["root_view_id"], [])
        if view_id not in stack:
            return
        for closed in stack[stack.index(view_id) :]:
            self.views.pop(closed, None)
        del stack[stack.index(view_id) :]
        if not stack:
            self._stacks.pop(view["root_view_id"], None)

    def clear(self, view_id: str) -> None:
        """``response_action: clear``: close every view in the modal."""
        self.close(self.get(view_id)["root_view_id"])

    def set_state(self, view_id: str, values: dict[str, Any]) -> None:
        self.get(view_id)["state"] = {"values": copy.deepcopy(values)}

    # -- home tab -------------------------------------------------------------------------------

    def publish(self, user_id: str, view: dict[str, Any], hash_: Any) -> dict[str, Any]:
        current_id = self._homes.get(user_id)
        if current_id is None:
            view_id = self._ids.object_id("V")
            stored = self._materialise(view, view_id=view_id, root_view_id=view_id, previous=None)
            self.views[view_id] = stored
            self._homes[user_id] = view_id
            return copy.deepcopy(stored)
        if hash_ and hash_ != self.views[current_id]["hash"]:
            raise ApiError("hash_conflict")
        return self.replace(current_id, view)

    def clear_all(self) -> None:
        self.views.clear()
        self._stacks.clear()
        self._homes.clear()
        self._triggers.clear()
        self._last_root = None

    # -- internals ------------------------------------------------------------------------------

    def _stack_for(self, view_id: str | None) -> list[str]:
        root = self.views[view_id]["root_view_id"] if view_id in self.views else None
        if view_id is None:
            # A trigger from outside any modal: Slack pushes onto the modal the user has open.
            root = self._last_root
        stack = self._stacks.get(root) if root else None
        if not stack:
            raise ApiError("not_found")
        return stack

    def _push_onto(self, stack: list[str], view: dict[str, Any]) -> dict[str, Any]:
        if len(stack) >= MAX_STACK_DEPTH:
            raise ApiError("push_limit_reached")
        view_id = self._ids.object_id("V")
        stored = self._materialise(view, view_id=view_id, root_view_id=stack[0], previous=stack[-1])
        self.views[view_id] = stored
        stack.append(view_id)
        return copy.deepcopy(stored)

    def _check_external_id(self, view: dict[str, Any]) -> None:
        external_id = view.get("external_id")
        if external_id and any(v.get("external_id") == external_id for v in self.views.values()):
            raise ApiError("duplicate_external_id")

    def _materialise(
        self,
        view: dict[str, Any],
        *,
        view_id: str,
        root_view_id: str,
        previous: str | None,
        state_values: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The view object Slack returns, and later sends as ``view`` in interaction payloads."""
        identity = self._identity
        return {
            "id": view_id,
            "team_id": identity.team_id,
            "type": view.get("type"),
            "blocks": self._ids.fill_block_ids(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata") or "",
            "callback_id": view.get("callback_id") or "",
            "state": {"values": copy.deepcopy(state_values or {})},
            "hash": self._ids.view_hash(),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous,
            "root_view_id": root_view_id,
            "app_id": identity.app_id,
            "external_id": view.get("external_id") or "",
            "app_installed_team_id": identity.team_id,
            "bot_id": identity.bot_id,
            "submit_disabled": bool(view.get("submit_disabled", False)),
        }
