"""What the bot counts and times, for Prometheus (docs/operations.md lists each metric).

Recording never makes a request or a job fail: each helper logs and carries on. Label
values come from small fixed sets (request kinds, Web API methods the code calls, message
kinds, tools, results), never from people or handoffs. Under gunicorn the values live in
PROMETHEUS_MULTIPROC_DIR (bot/observability/exposition.py), so this module must be
imported only after that is set.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from typing import Any, ParamSpec

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

log = logging.getLogger(__name__)

# A `_created` series beside every counter doubles what Prometheus stores for nothing an
# alert here reads (and gunicorn's processes could not add them up anyway).
disable_created_metrics()

P = ParamSpec("P")

ACK_SECONDS = Histogram(
    "handoff_ack_seconds",
    "Time from a Slack request's arrival to the bot's answer (Slack waits 3 s at most)",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
)
SLACK_CALLS = Counter(
    "handoff_slack_api_calls",
    "Slack Web API calls (each HTTP attempt) by method and result: ok, ratelimited, error",
    ["method", "result"],
)
RETRY_AFTER = Histogram(
    "handoff_slack_retry_after_seconds",
    "Retry-After waits Slack asked for (and the bot honoured) on a 429",
    ["method"],
    buckets=(1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
)
SWEEP_SECONDS = Histogram(
    "handoff_sweep_duration_seconds",
    "How long a sweep took (chases armed, booking deliveries, the outbox sent)",
    buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
SWEEPS = Counter(
    "handoff_sweeps", "Sweeps by result: done, skipped (another holds the lock), failed", ["result"]
)
SWEEP_LAST_DONE = Gauge(
    "handoff_sweep_last_success_timestamp_seconds",
    "Unix time the last sweep finished without an error",
    multiprocess_mode="max",
)
MESSAGES_SENT = Counter(
    "handoff_messages_sent",
    "Outbox rows that reached Slack, by path (request: right after a commit; sweep) and kind",
    ["via", "kind"],
)
MESSAGES_FAILED = Counter(
    "handoff_messages_failed",
    "Outbox rows whose try failed (they are tried again, backing off), by path and kind",
    ["via", "kind"],
)
DIGEST_RUNS = Counter(
    "handoff_digest_runs", "Weekly digest runs by result: sent, skipped, failed", ["result"]
)
WEBHOOKS = Counter(
    "handoff_booking_webhooks",
    "Booking tools' webhook deliveries by tool and result",
    ["tool", "result"],
)

# Label values outside these sets are recorded as "other".
ACK_KINDS = frozenset(
    (
        "command",
        "shortcut",
        "message_action",
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "event_callback",
        "url_verification",
    )
)
_METHOD = re.compile(r"^[a-z]+(\.[A-Za-z]+){1,3}$")


def _never_raises(fn: Callable[P, None]) -> Callable[P, None]:
    @functools.wraps(fn)
    def safe(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:  # a metric is never worth a failed request
            log.exception("could not record metric %s", fn.__name__)

    return safe


def ack_kind(body: Any) -> str:
    """The kind of a Slack request, from its body (bounded: anything else is "other")."""
    if not isinstance(body, dict):
        return "other"
    if "command" in body:
        return "command"
    kind = str(body.get("type") or "")
    return kind if kind in ACK_KINDS else "other"


def slack_method(name: str) -> str:
    return name if len(name) <= 64 and _METHOD.match(name) else "other"


@_never_raises
def ack(kind: str, seconds: float) -> None:
    ACK_SECONDS.labels(kind if kind in ACK_KINDS else "other").observe(seconds)


@_never_raises
def slack_call(method: str, result: str) -> None:
    SLACK_CALLS.labels(slack_method(method), result).inc()


@_never_raises
def retry_after(method: str, seconds: float) -> None:
    RETRY_AFTER.labels(slack_method(method)).observe(seconds)


@_never_raises
def sweep(result: str, seconds: float | None = None) -> None:
    SWEEPS.labels(result).inc()
    if seconds is not None:
        SWEEP_SECONDS.observe(seconds)
    if result == "done":
        SWEEP_LAST_DONE.set(time.time())


@_never_raises
def delivered(outcome: Any, via: str) -> None:
    """What one call of bot.delivery.sender.deliver did (its Outcome)."""
    for sent in outcome.sent:
        MESSAGES_SENT.labels(via, sent.kind).inc()
    for job in [*outcome.updated, *outcome.published]:
        MESSAGES_SENT.labels(via, job.kind).inc()
    for job in outcome.failed:
        MESSAGES_FAILED.labels(via, job.kind).inc()


@_never_raises
def digest_run(result: str) -> None:
    DIGEST_RUNS.labels(result).inc()


@_never_raises
def webhook(tool: str, result: str) -> None:
    WEBHOOKS.labels(tool, result).inc()
