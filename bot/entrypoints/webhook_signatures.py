"""How each booking tool signs its webhooks, checked in constant time.

Each tool has a header check (run by the guard before the body is read: the signature is
there, the timestamp is fresh) and a body check (the HMAC over the raw body).

- Calendly: `Calendly-Webhook-Signature: t=<unix>,v1=<hex>`, HMAC-SHA256 of "<t>." + body
  with the subscription's signing key; a t more than 3 minutes off is refused.
- Cal.com: `X-Cal-Signature-256: <hex>`, HMAC-SHA256 of the body with the webhook's secret.
- The generic body: `X-Handoff-Signature: t=<unix>,v1=<hex>`, signed as Calendly signs.
- Chili Piper signs nothing: a long random token in the URL's path is the proof.
- HubSpot (v3): `X-HubSpot-Signature-v3: <base64>`, HMAC-SHA256 with the app's client secret
  of method + URL + body + `X-HubSpot-Request-Timestamp` (milliseconds, 5 minutes at most).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.entrypoints.guard import HeaderCheck, Refusal

TOLERANCE_SECONDS = 3 * 60
HUBSPOT_TOLERANCE_SECONDS = 5 * 60

CALENDLY_HEADER = "Calendly-Webhook-Signature"
CALCOM_HEADER = "X-Cal-Signature-256"
GENERIC_HEADER = "X-Handoff-Signature"
HUBSPOT_HEADER = "X-HubSpot-Signature-v3"
HUBSPOT_TIMESTAMP = "X-HubSpot-Request-Timestamp"
CHILIPIPER_PATH = "/webhooks/chilipiper/"

Environ = Mapping[str, Any]

Now = Callable[[], float]
BodyCheck = Callable[[Mapping[str, Any], bytes, str], bool]  # (environ, body, secret)


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


def hubspot_header_check(*, now: Now = time.time) -> HeaderCheck:
    """Signature there, and its timestamp (milliseconds) within HubSpot's 5 minutes."""

    def check(environ: Mapping[str, Any]) -> Refusal | None:
        if not environ.get(environ_key(HUBSPOT_HEADER)):
            return _unauthorized(f"{HUBSPOT_HEADER} is missing")
        t = str(environ.get(environ_key(HUBSPOT_TIMESTAMP), ""))
        if not t.isascii() or not t.isdigit() or len(t) > 15:
            return _unauthorized(f"{HUBSPOT_TIMESTAMP} is missing or not milliseconds")
        if abs(now() - int(t) / 1000) > HUBSPOT_TOLERANCE_SECONDS:
            return _unauthorized(f"{HUBSPOT_TIMESTAMP} is more than 5 minutes off")
        return None

    return check


def no_header_check(environ: Mapping[str, Any]) -> Refusal | None:
    return None


def _hex_hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().encode()


def timestamped_valid(header: str) -> BodyCheck:
    def valid(environ: Environ, body: bytes, secret: str) -> bool:
        return _timestamped_valid(_header(environ, header), body, secret)

    return valid


def _timestamped_valid(header_value: str, body: bytes, secret: str) -> bool:
    t, signatures = timestamped_parts(header_value)
    expected = _hex_hmac(secret, t.encode() + b"." + body)
    # Every candidate compared, so the time taken says nothing about which one matched.
    return sum(hmac.compare_digest(expected, _bytes(s)) for s in signatures) > 0


def calcom_valid(environ: Environ, body: bytes, secret: str) -> bool:
    given = _header(environ, CALCOM_HEADER).strip()
    return hmac.compare_digest(_hex_hmac(secret, body), _bytes(given))


def chilipiper_valid(environ: Environ, body: bytes, secret: str) -> bool:
    token = str(environ.get("PATH_INFO", ""))[len(CHILIPIPER_PATH) :]
    return hmac.compare_digest(secret.encode(), token.encode("latin-1", "replace"))


def hubspot_valid(public_url: str | None) -> BodyCheck:
    """HubSpot signs the URL it called: `public_url` (HANDOFF_PUBLIC_URL) when set, else the
    scheme and Host of the request as this server sees them."""

    def valid(environ: Environ, body: bytes, secret: str) -> bool:
        base = public_url or (
            f"{environ.get('wsgi.url_scheme', 'https')}://{environ.get('HTTP_HOST', '')}"
        )
        uri = base + str(environ.get("PATH_INFO", ""))
        if environ.get("QUERY_STRING"):
            uri += "?" + str(environ["QUERY_STRING"])
        method = str(environ.get("REQUEST_METHOD", "POST"))
        timestamp = _header(environ, HUBSPOT_TIMESTAMP)
        message = method.encode() + uri.encode("latin-1", "replace") + body + timestamp.encode()
        digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
        expected = base64.b64encode(digest)
        return hmac.compare_digest(
            expected, _header(environ, HUBSPOT_HEADER).strip().encode("latin-1", "replace")
        )

    return valid


def _header(environ: Environ, header: str) -> str:
    return str(environ.get(environ_key(header), ""))


def _bytes(signature: str) -> bytes:
    # WSGI hands headers over as latin-1 text; compare_digest refuses non-ASCII str.
    return signature.lower().encode("latin-1", "replace")
