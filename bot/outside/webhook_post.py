"""POSTing one signed webhook delivery.

`X-Handoff-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>` with the
webhook's secret, as the booking endpoint checks its own (docs/crm.md says how a receiver
checks it); the timestamp is the try's, so a receiver can refuse old replays of a request.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from dataclasses import dataclass

TIMEOUT = 10  # seconds the receiver has to answer
USER_AGENT = "handoff-webhooks/1"


def signature(secret: str, body: str, timestamp: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body.encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out, dropped)
    error: str
    retry_after: float | None = None


def post(url: str, body: str, *, secret: str, event: str, delivery_id: str, at: int) -> Answer:
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Handoff-Event": event,
            "X-Handoff-Delivery": delivery_id,
            "X-Handoff-Signature": signature(secret, body, at),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            return Answer(reply.status, "")
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, f"HTTP {exc.code}", _seconds(exc.headers.get("Retry-After")))
    except (OSError, ValueError) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:200])


def _seconds(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), 3600.0) if value else None
    except ValueError:
        return None
