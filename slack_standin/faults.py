"""Fault injection for ``SlackStandIn``: the next N calls to a method fail the way Slack fails."""

from __future__ import annotations

import threading
from collections import deque

from .records import Failure

MODES = ("answer", "drop_before", "drop_after", "hang")
# Internal answer headers the HTTP handler acts on instead of sending.
DROP = "x-standin-drop"
HANG = "x-standin-hang"


class FaultInjection:
    """Mixed into ``SlackStandIn``, which owns ``_cond``; the HTTP side takes failures per call."""

    _cond: threading.Condition
    _failures: dict[str, deque[Failure]]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int | None = 1,
        times: int = 1,
        mode: str = "answer",
        seconds: float = 0.0,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with a failure instead of serving them.

        ``status=429`` sends ``Retry-After`` (an integer string, as slack_sdk requires); 5xx
        statuses simulate outages; ``status=200`` answers ``{"ok": false, "error": error}``.
        ``method`` may also be ``"response_url"`` or ``"upload"``.

        ``mode`` fails the connection instead of answering: ``"drop_before"`` closes it before
        the call is served, ``"drop_after"`` serves the call and then closes it unanswered (a
        post that landed while the sender saw an error), ``"hang"`` serves it and answers
        ``seconds`` late. Web API methods only.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if retry_after is not None and not isinstance(retry_after, int):
            raise TypeError("retry_after must be an int: slack_sdk parses it with int()")
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, error, retry_after, mode, seconds) for _ in range(times))

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        return queue.popleft() if queue else None


def retry_headers(failure: Failure) -> dict[str, str]:
    """``Retry-After`` for a failed HTTP status; an ``ok: false`` answer carries none."""
    if failure.retry_after is None or failure.status == 200:
        return {}
    return {"Retry-After": str(failure.retry_after)}
