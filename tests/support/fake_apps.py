"""Apps the stand-in's own tests point SlackSender at.

FakeApp records what it gets and answers from a queue; BoltServer serves a real Bolt App.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.demo.localserver import LocalServer

SIGNING_SECRET = "standin-test-signing-secret"


@dataclass(frozen=True)
class Received:
    """One request the fake app got, kept raw so signatures can be checked byte for byte."""

    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.form()["payload"])
        return payload

    def json(self) -> Any:
        return json.loads(self.body)


class FakeApp(LocalServer):
    """An HTTP endpoint standing in for the app: records requests, answers from a queue."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: deque[tuple[int, str, str]] = deque()
        self._lock = threading.Lock()
        super().__init__(self._wsgi)

    @property
    def url(self) -> str:
        return super().url + "/slack/events"

    def reply_with(self, body: Any = "", status: int = 200) -> None:
        """Queue the answer to the next request (a dict is sent as JSON)."""
        if isinstance(body, dict):
            self._replies.append((status, json.dumps(body), "application/json"))
        else:
            self._replies.append((status, body, "text/plain"))

    @property
    def last(self) -> Received:
        return self.requests[-1]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        with self._lock:
            self.requests.append(Received(environ.get("PATH_INFO", ""), headers, body))
            status, text, ctype = self._replies.popleft() if self._replies else (200, "", "")
        payload = text.encode()
        response_headers = [("Content-Length", str(len(payload)))]
        if ctype:
            response_headers.append(("Content-Type", ctype))
        start_response(f"{status} X", response_headers)
        return [payload]


class BoltServer(LocalServer):
    """Serves a Bolt ``App`` over HTTP (its WSGI adapter) so SlackSender can talk to it."""

    def __init__(self, app: App) -> None:
        super().__init__(SlackRequestHandler(app))

    @property
    def url(self) -> str:
        return super().url + "/slack/events"
