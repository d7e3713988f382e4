"""Fixtures for the stand-in's own tests: a running stand-in, a WebClient, and fake apps."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.localserver import LocalServer
from bot.slack_standin import SlackSender, SlackStandIn

SIGNING_SECRET = "standin-test-signing-secret"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


@pytest.fixture
def slack(standin: SlackStandIn) -> WebClient:
    return standin.client()


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


class FakeApp:
    """An HTTP endpoint standing in for the app: records requests, answers from a queue."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: deque[tuple[int, str, str]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/slack/events"

    def reply_with(self, body: Any = "", status: int = 200) -> None:
        """Queue the answer to the next request (a dict is sent as JSON)."""
        if isinstance(body, dict):
            self._replies.append((status, json.dumps(body), "application/json"))
        else:
            self._replies.append((status, body, "text/plain"))

    @property
    def last(self) -> Received:
        return self.requests[-1]

    def __enter__(self) -> FakeApp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with app._lock:
                    app.requests.append(Received(self.path, headers, body))
                    status, text, ctype = app._replies.popleft() if app._replies else (200, "", "")
                payload = text.encode()
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def fake_app() -> Iterator[FakeApp]:
    with FakeApp() as app:
        yield app


@pytest.fixture
def sender(fake_app: FakeApp, standin: SlackStandIn) -> SlackSender:
    return SlackSender(fake_app.url, SIGNING_SECRET, standin)


class BoltServer(LocalServer):
    """Serves a Bolt ``App`` over HTTP (its WSGI adapter) so SlackSender can talk to it."""

    def __init__(self, app: App) -> None:
        super().__init__(SlackRequestHandler(app))

    @property
    def url(self) -> str:
        return super().url + "/slack/events"
