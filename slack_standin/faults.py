"""Fault injection for ``SlackStandIn``: the next N calls to a method fail the way Slack fails."""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from .records import Failure

MODES = ("answer", "drop_before", "drop_after", "hang")
# What `fail_at_random` picks from, each as likely as the others.
KINDS = ("429", "500", "503", "timeout", "drop_before", "drop_after")
# Internal answer headers the HTTP handler acts on instead of sending.
DROP = "x-standin-drop"
HANG = "x-standin-hang"


@dataclass
class RandomFaults:
    """Failures drawn per call: which methods, how often, and what was injected so far."""

    methods: frozenset[str]
    rate: float
    rng: random.Random
    timeout: float
    kinds: tuple[str, ...] = KINDS
    injected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (method, kind)

    def draw(self, method: str) -> Failure | None:
        if method not in self.methods or self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        self.injected[method, kind] += 1
        if kind == "429":
            return Failure(429, "ratelimited", 1)
        if kind in ("500", "503"):
            return Failure(
                int(kind), "internal_error" if kind == "500" else "service_unavailable", None
            )
        if kind == "timeout":
            return Failure(200, "", None, "hang", self.timeout)
        return Failure(200, "", None, kind)


class FaultInjection:
    """Mixed into ``SlackStandIn``, which owns ``_cond``; the HTTP side takes failures per call."""

    _cond: threading.Condition
    _failures: dict[str, deque[Failure]]
    _random_faults: RandomFaults | None = None

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

    def fail_at_random(
        self,
        methods: Iterable[str],
        *,
        rate: float,
        seed: int = 0,
        timeout: float = 1.0,
        kinds: Iterable[str] = KINDS,
    ) -> RandomFaults:
        """From now on each call to one of ``methods`` fails with probability ``rate``, in one
        of ``kinds`` drawn at random: a 429 with ``Retry-After: 1``, a 500, a 503, an answer
        ``timeout`` seconds late (the caller's read timeout), the connection closed before the
        call is served (Slack never acted), or after (Slack acted, the answer is lost).

        Queued ``fail_next`` failures come first. The returned record counts what was injected,
        per method and kind; ``stop_failing`` ends it."""
        chosen = tuple(kinds)
        unknown = set(chosen) - set(KINDS)
        if unknown or not chosen:
            raise ValueError(f"kinds must be some of {', '.join(KINDS)}")
        faults = RandomFaults(frozenset(methods), rate, random.Random(seed), timeout, chosen)
        with self._cond:
            self._random_faults = faults
        return faults

    def stop_failing(self) -> None:
        """Calls are served again (queued ``fail_next`` failures stay queued)."""
        with self._cond:
            self._random_faults = None

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if queue:
            return queue.popleft()
        return self._random_faults.draw(method) if self._random_faults else None


def retry_headers(failure: Failure) -> dict[str, str]:
    """``Retry-After`` for a failed HTTP status; an ``ok: false`` answer carries none."""
    if failure.retry_after is None or failure.status == 200:
        return {}
    return {"Retry-After": str(failure.retry_after)}
