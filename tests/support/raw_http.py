"""HTTP requests as a hostile client sends them: any header, any Content-Length, any body.

urllib and http.client fix up what they send (Content-Length above all); these go out as
given, over a plain socket.
"""

from __future__ import annotations

import hmac
import socket
import time
from dataclasses import dataclass
from http.client import HTTPResponse
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RawReply:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(
    url: str,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    *,
    method: str = "POST",
    end_body: bool = True,
    timeout: float = 10.0,
) -> RawReply:
    """Send the request as given and read the answer.

    `end_body=False` keeps the connection open for writing after the headers and `body`, so
    the answer only comes if the server answers without waiting for the rest of the body.
    """
    parts = urlsplit(url)
    head = f"{method} {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    head += "Connection: close\r\n\r\n"
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + body)
        if end_body:
            sock.shutdown(socket.SHUT_WR)
        response = HTTPResponse(sock)
        response.begin()
        with response:
            return RawReply(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )


def signed(body: bytes, secret: str, *, at: int | None = None) -> list[tuple[str, str]]:
    """Slack's v0 signature headers over any bytes (slack_sdk's signer wants text)."""
    timestamp = str(at if at is not None else int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, "sha256")
    return [
        ("X-Slack-Request-Timestamp", timestamp),
        ("X-Slack-Signature", "v0=" + digest.hexdigest()),
    ]
