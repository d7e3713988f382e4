"""How each booking tool signs its webhooks, checked in constant time.

Each tool has a header check (run by the guard before the body is read: the signature is
there, the timestamp is fresh) and a body check (the HMAC over the raw body).

- Calendly: `Calendly-Webhook-Signature: t=<unix>,v1=<hex>`, HMAC-SHA256 of "<t>." + body
  with the subscription's signing key; a t more than 3 minutes off is refused.
- Cal.com: `X-Cal-Signature-256: <hex>`, HMAC-SHA256 of the body with the webhook's secret.
- The generic body: `X-Handoff-Signature: t=<unix>,v1=<hex>`, signed as Calendly signs.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.entrypoints.guard import HeaderCheck, Refusal

TOLERANCE_SECONDS = 3 * 60

CALENDLY_HEADER = "Calendly-Webhook-Signature"
CALCOM_HEADER = "X-Cal-Signature-256"
GENERIC_HEADER = "X-Handoff-Signature"

Now = Callable[[], float]


def environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def _unauthorized(why: str) -> Refusal:
    return Refusal("401 Unauthorized", why)


def timestamped_parts(value: str) -> tuple[str, list[str]]:
    """("<t>", ["<v1>", …]) of a `t=…,v1=…` header; v1 may repeat (a key being rotated)."""
    t, signatures = "", []
    for part in value.split(","):
        name, _, found = part.strip().partition("=")
        if name == "t":
            t = found
        elif name == "v1" and found:
            signatures.append(found)
    return t, signatures


def timestamped_header_check(header: str, *, now: Now = time.time) -> HeaderCheck:
    """The guard's check for a `t=…,v1=…` header: present, and t within 3 minutes."""

    def check(environ: Mapping[str, Any]) -> Refusal | None:
        value = str(environ.get(environ_key(header), ""))
        if not value:
            return _unauthorized(f"{header} is missing")
        t, signatures = timestamped_parts(value)
        if not t or not signatures:
            return _unauthorized(f"{header} is not t=<unix time>,v1=<signature>")
        if not t.isascii() or not t.isdigit() or len(t) > 12:
            return _unauthorized(f"{header}'s t is not a Unix time")
        if abs(now() - int(t)) > TOLERANCE_SECONDS:
            return _unauthorized(f"{header}'s t is more than 3 minutes off")
        return None

    return check


def present_header_check(header: str) -> HeaderCheck:
    def check(environ: Mapping[str, Any]) -> Refusal | None:
        if not environ.get(environ_key(header)):
            return _unauthorized(f"{header} is missing")
        return None

    return check


def _hex_hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().encode()


def timestamped_valid(header_value: str, body: bytes, secret: str) -> bool:
    t, signatures = timestamped_parts(header_value)
    expected = _hex_hmac(secret, t.encode() + b"." + body)
    # Every candidate compared, so the time taken says nothing about which one matched.
    return sum(hmac.compare_digest(expected, _bytes(s)) for s in signatures) > 0


def calcom_valid(header_value: str, body: bytes, secret: str) -> bool:
    return hmac.compare_digest(_hex_hmac(secret, body), _bytes(header_value.strip()))


def _bytes(signature: str) -> bytes:
    # WSGI hands headers over as latin-1 text; compare_digest refuses non-ASCII str.
    return signature.lower().encode("latin-1", "replace")
