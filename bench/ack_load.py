"""The load generator of the ack benchmark, and the checks that the Slack side keeps up.

Requests go out as Slack sends them: one signed POST per request on a new connection
(``SlackSender``, urllib). A run is closed-loop: ``concurrency`` threads each send the next
request as soon as their previous one is answered, until ``n`` were sent.
"""

from __future__ import annotations

import math
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_standin import Reply, SlackSender, SlackStandIn

SLACK_TIMEOUT = 3.0  # Slack shows an error when the ack takes longer


class TimedSender(SlackSender):
    """A ``SlackSender`` that times each HTTP exchange and keeps, per thread, what it sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def _deliver(self, kind: str, payload: dict[str, Any]) -> Reply:
        self._local.payload = payload
        return super()._deliver(kind, payload)

    def send_raw(self, body: bytes, content_type: str, **kwargs: Any) -> Reply:
        # Only the exchange is timed: building and signing the payload is Slack's side.
        started = time.monotonic()
        self._local.sent = (started, started)
        try:
            return super().send_raw(body, content_type, **kwargs)
        finally:
            self._local.sent = (started, time.monotonic())

    def forget(self) -> None:
        """Before a request: nothing sent yet from this thread."""
        now = time.monotonic()
        self._local.payload, self._local.sent = {}, (now, now)

    @property
    def last_payload(self) -> dict[str, Any]:
        return self._local.payload

    @property
    def last_exchange(self) -> tuple[float, float]:
        """(sent, answered) of this thread's last request, on the ``time.monotonic`` clock."""
        return self._local.sent


@dataclass
class Result:
    index: int
    sent: float
    answered: float
    status: int  # 0: no HTTP answer (refused, timed out)
    reply: Reply | None
    payload: dict[str, Any]

    @property
    def seconds(self) -> float:
        return self.answered - self.sent


@dataclass
class Run:
    kind: str
    server: str
    concurrency: int
    results: list[Result]
    started: float
    ended: float
    cpu_seconds: float  # this process's CPU time: the load generator and the stand-in
    errors: list[str] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return self.ended - self.started

    def stats(self) -> dict[str, float]:
        times = sorted(r.seconds for r in self.results)
        return {
            "n": len(times),
            "p50_ms": 1000 * percentile(times, 50),
            "p95_ms": 1000 * percentile(times, 95),
            "p99_ms": 1000 * percentile(times, 99),
            "max_ms": 1000 * (times[-1] if times else 0.0),
            "req_per_s": len(times) / self.wall if self.wall > 0 else 0.0,
            "over_3s": sum(t > SLACK_TIMEOUT for t in times),
            "not_200": sum(r.status != 200 for r in self.results),
            "bench_cpu": self.cpu_seconds / self.wall if self.wall > 0 else 0.0,
        }


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run_load(
    sender: TimedSender,
    send: Callable[[int], Reply],
    n: int,
    concurrency: int,
    *,
    kind: str,
    server: str,
) -> Run:
    """Send requests 0…n-1 (``send(i)`` builds and sends one) from ``concurrency`` threads."""
    results: list[Result] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_index = iter(range(n))

    def worker() -> None:
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            reply: Reply | None = None
            sender.forget()
            try:
                reply = send(i)
            except Exception as exc:
                with lock:
                    errors.append(f"{kind} #{i}: {exc!r}")
            sent, answered = sender.last_exchange
            status = reply.status if reply else 0
            result = Result(i, sent, answered, status, reply, sender.last_payload)
            with lock:
                results.append(result)

    cpu = _cpu()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = _cpu() - cpu
    results.sort(key=lambda r: r.index)
    started = min((r.sent for r in results), default=0.0)
    ended = max((r.answered for r in results), default=0.0)
    return Run(kind, server, concurrency, results, started, ended, cpu, errors)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class TimedStandIn(SlackStandIn):
    """The stand-in, noting how long each request waited for it and held it.

    It serves one request at a time (one lock around its state), so the share of a run's
    time it was held says whether the app's Web API calls queued on it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.served: list[tuple[float, float, float]] = []  # (start, held, waited) seconds

    def __enter__(self) -> TimedStandIn:
        super().__enter__()
        return self

    def _serve(self, path: str, headers: dict[str, str], body: bytes) -> Any:
        arrived = time.monotonic()
        with self._cond:
            start = time.monotonic()
            answer = super()._serve(path, headers, body)
            self.served.append((start, time.monotonic() - start, start - arrived))
        return answer

    def load_between(self, start: float, end: float) -> dict[str, float]:
        """Calls served in [start, end]: how many, p50/p99 held and p99 waited, busy share."""
        window = [s for s in list(self.served) if start <= s[0] <= end]
        held = sorted(s[1] for s in window)
        waited = sorted(s[2] for s in window)
        span = end - start
        return {
            "calls": len(window),
            "held_p50_ms": 1000 * percentile(held, 50),
            "held_p99_ms": 1000 * percentile(held, 99),
            "waited_p99_ms": 1000 * percentile(waited, 99),
            "busy": sum(held) / span if span > 0 else 0.0,
        }
