"""What tests read from ``SlackStandIn``: the recorded calls and the workspace they left behind.

Every reader takes the stand-in's lock and returns copies, so a test never sees a half-served
request or mutates the workspace by accident.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from typing import Any

from .records import ApiError, Call
from .workspace import Workspace


class Inspection:
    """Mixed into ``SlackStandIn``, which owns ``_cond``, ``_calls`` and ``_ws``."""

    _cond: threading.Condition
    _calls: list[Call]
    _ws: Workspace

    # -- recorded calls -------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``method`` has been called ``count`` times; returns those calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [c for c in self._calls if c.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._wait_failure(method, count, timeout, matching))
                self._cond.wait(remaining)

    @property
    def problems(self) -> list[str]:
        """Every defect found in outgoing payloads so far (tests assert this is ``[]``)."""
        with self._cond:
            return list(self._ws.problems)

    # -- workspace content ----------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current messages of a channel (a user id means the DM), oldest first, after edits."""
        with self._cond:
            return self._ws.messages.history(self._channel_id(channel))

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        with self._cond:
            try:
                return self._ws.messages.get(self._channel_id(channel), ts)
            except ApiError:
                raise KeyError(f"no message {ts} in {channel}") from None

    def dm_channel(self, user_id: str) -> str:
        """The stable IM channel id the stand-in uses for ``user_id``."""
        return self._ws.messages.dm_channel(user_id)

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return self._ws.messages.history(self.dm_channel(user_id))

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(self._ws.messages.ephemerals)

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Every open modal view and published Home tab, by view id."""
        with self._cond:
            return copy.deepcopy(self._ws.views.views)

    def view(self, view_id: str) -> dict[str, Any]:
        with self._cond:
            if view_id not in self._ws.views.views:
                open_views = sorted(self._ws.views.views)
                raise KeyError(f"no open view {view_id}; open views: {open_views}")
            return copy.deepcopy(self._ws.views.views[view_id])

    def home(self, user_id: str) -> dict[str, Any] | None:
        with self._cond:
            return self._ws.views.home(user_id)

    @property
    def uploads(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dataclasses.asdict(u) for u in self._ws.uploads.values()]

    def user(self, user_id: str) -> dict[str, Any]:
        with self._cond:
            return self._ws.user(user_id)

    def channel_name(self, channel_id: str) -> str:
        with self._cond:
            return self._ws.channel_name(channel_id)

    def _channel_id(self, channel: str) -> str:
        try:
            return self._ws.messages.resolve(channel)
        except ApiError:
            return channel

    # -- the call log (written by the HTTP side, under the lock) --------------------------------

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        headers: dict[str, str],
        status: int,
        response: Any,
        injected: bool,
    ) -> None:
        call = Call(
            method=method,
            args=copy.deepcopy(args),
            headers=dict(headers),
            time=time.monotonic(),
            status=status,
            response=response,
            injected_failure=injected,
        )
        self._calls.append(call)
        self._cond.notify_all()

    def _wait_failure(self, method: str, count: int, timeout: float, got: list[Call]) -> str:
        lines = [f"expected {count} call(s) to {method} within {timeout}s, got {len(got)}."]
        lines.append("Calls received:" if self._calls else "No calls were received at all.")
        for call in self._calls:
            outcome = "ok" if call.ok else f"failed: {_short(call.response)}"
            lines.append(f"  {call.method} [{outcome}] args={_short(call.args)}")
        if self._ws.problems:
            lines.append("Problems: " + "; ".join(self._ws.problems))
        return "\n".join(lines)


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
