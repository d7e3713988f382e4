"""``SlackStandIn``: a local HTTP server that answers the real ``slack_sdk.WebClient`` like Slack.

Point a client at ``standin.base_url`` and every call is served from in-memory state, recorded as
a ``Call`` and checked against Block Kit rules; problems are collected in ``standin.problems``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from slack_sdk import WebClient

from .blockkit import check_view
from .records import ApiError, Call, Failure, Identity
from .webapi import HANDLERS, decode_json_args, receive_upload, respond
from .workspace import Workspace

_JSON = "application/json; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_Response = tuple[int, dict[str, str], bytes]


class SlackStandIn:
    """A pretend Slack workspace served over HTTP on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        team_id: str = "T0HANDOFF",
        team_domain: str = "handoff",
        bot_user_id: str = "UHANDOFFBOT",
        bot_id: str = "BHANDOFF",
        app_id: str = "AHANDOFF",
        trigger_ttl: float = 3.0,
    ) -> None:
        self.identity = Identity(
            team_id=team_id,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
        )
        self._address = (host, port)
        self._ws = Workspace(self.identity, trigger_ttl=trigger_ttl)
        # One lock for state, calls and failures; the Condition wakes wait_for() on each call.
        self._cond = threading.Condition(threading.RLock())
        self._calls: list[Call] = []
        self._failures: dict[str, deque[Failure]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(self._address, _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._ws.root_url = f"http://{self._address[0]}:{server.server_port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return self._ws.root_url

    @property
    def base_url(self) -> str:
        """The value for ``WebClient(base_url=...)``."""
        return f"{self.root_url}/api/"

    def client(self, token: str = "xoxb-standin", **kwargs: Any) -> WebClient:
        """A real ``WebClient`` pointed at this stand-in."""
        return WebClient(token=token, base_url=self.base_url, **kwargs)

    # -- recorded calls -------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``method`` has been called ``count`` times; returns those calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [c for c in self._calls if c.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._wait_failure(method, count, timeout, matching))
                self._cond.wait(remaining)

    def reset(self) -> None:
        """Forget calls, queued failures, problems and workspace content (users are kept)."""
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._ws.reset()

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with a failure instead of serving them.

        ``status=429`` sends ``Retry-After`` (an integer string, as slack_sdk requires); 5xx
        statuses simulate outages; ``status=200`` answers ``{"ok": false, "error": error}``.
        ``method`` may also be ``"response_url"`` or ``"upload"``.
        """
        if retry_after is not None and not isinstance(retry_after, int):
            raise TypeError("retry_after must be an int: slack_sdk parses it with int()")
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, error, retry_after) for _ in range(times))

    # -- workspace state ------------------------------------------------------------------------

    @property
    def problems(self) -> list[str]:
        """Every defect found in outgoing payloads so far (tests assert this is ``[]``)."""
        with self._cond:
            return list(self._ws.problems)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current messages of a channel (a user id means the DM), oldest first, after edits."""
        with self._cond:
            return self._ws.messages.history(self._channel_id(channel))

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        with self._cond:
            try:
                return self._ws.messages.get(self._channel_id(channel), ts)
            except ApiError:
                raise KeyError(f"no message {ts} in {channel}") from None

    def dm_channel(self, user_id: str) -> str:
        """The stable IM channel id the stand-in uses for ``user_id``."""
        return self._ws.messages.dm_channel(user_id)

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return self._ws.messages.history(self.dm_channel(user_id))

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(self._ws.messages.ephemerals)

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Every open modal view and published Home tab, by view id."""
        with self._cond:
            return copy.deepcopy(self._ws.views.views)

    def view(self, view_id: str) -> dict[str, Any]:
        with self._cond:
            if view_id not in self._ws.views.views:
                open_views = sorted(self._ws.views.views)
                raise KeyError(f"no open view {view_id}; open views: {open_views}")
            return copy.deepcopy(self._ws.views.views[view_id])

    def home(self, user_id: str) -> dict[str, Any] | None:
        with self._cond:
            return self._ws.views.home(user_id)

    @property
    def uploads(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dataclasses.asdict(u) for u in self._ws.uploads.values()]

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "America/New_York",
        email: str | None = None,
    ) -> dict[str, Any]:
        """Register a user for users.info / users.lookupByEmail (unknown U… ids are generated)."""
        with self._cond:
            return self._ws.add_user(user_id, name=name, real_name=real_name, tz=tz, email=email)

    def user(self, user_id: str) -> dict[str, Any]:
        with self._cond:
            return self._ws.user(user_id)

    def add_channel(self, channel_id: str, name: str) -> None:
        with self._cond:
            self._ws.channel_names[channel_id] = name

    def channel_name(self, channel_id: str) -> str:
        with self._cond:
            return self._ws.channel_name(channel_id)

    def issue_trigger_id(self, view_id: str | None = None) -> str:
        """A fresh trigger id; ``view_id`` is the view the interaction happened in, if any."""
        with self._cond:
            return self._ws.views.issue_trigger(view_id)

    def response_url(
        self, channel: str | None = None, ts: str | None = None, user_id: str | None = None
    ) -> str:
        """A fresh response_url acting on message ``ts`` in ``channel`` for ``user_id``."""
        with self._cond:
            channel_id = self._channel_id(channel) if channel else None
            return self._ws.issue_hook(channel_id, ts, user_id)

    # -- what Slack's client does to views (used by SlackSender) ---------------------------------

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> None:
        with self._cond:
            self._ws.views.set_state(view_id, values)

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close ``view_id`` (and views pushed over it); ``clear`` closes the whole modal."""
        with self._cond:
            if clear:
                self._ws.views.clear(view_id)
            else:
                self._ws.views.close(view_id)

    def replace_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any] | None:
        """``response_action: update``; None (and a recorded problem) if the view is invalid."""
        with self._cond:
            if not self._valid_view("response_action update", view):
                return None
            return self._ws.views.replace(view_id, view)

    def push_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any] | None:
        """``response_action: push`` over ``view_id``; None if invalid or the stack is full."""
        with self._cond:
            if not self._valid_view("response_action push", view):
                return None
            try:
                return self._ws.views.push_over(view_id, view)
            except ApiError as exc:
                self._ws.report("response_action push", [exc.code])
                return None

    def report_problem(self, source: str, problem: str) -> None:
        with self._cond:
            self._ws.report(source, [problem])

    def _valid_view(self, source: str, view: Any) -> bool:
        problems = check_view(view)
        self._ws.report(source, problems)
        return not problems

    def _channel_id(self, channel: str) -> str:
        try:
            return self._ws.messages.resolve(channel)
        except ApiError:
            return channel

    # -- request handling (called from server threads) ------------------------------------------

    def _serve(self, path: str, headers: dict[str, str], body: bytes) -> _Response:
        parts = urlsplit(path)
        route = parts.path
        if route.startswith("/api/"):
            return self._serve_api(route[len("/api/") :], parts.query, headers, body)
        if route.startswith("/hooks/"):
            return self._serve_hook(route.rsplit("/", 1)[-1], headers, body)
        if route.startswith("/upload/"):
            return self._serve_upload(route[len("/upload/") :], headers, body)
        return 404, {"Content-Type": _TEXT}, b"not_found"

    def _serve_api(
        self, method: str, query: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        with self._cond:
            extra: dict[str, str] = {}
            status = 200
            injected = False
            args: dict[str, Any] = {}
            try:
                args = _decode_args(query, headers, body)
                failure = self._take_failure(method)
                if failure is not None:
                    injected = True
                    status, extra = failure.status, _retry_headers(failure)
                    answer: dict[str, Any] = {"ok": False, "error": failure.error}
                else:
                    answer = self._call_handler(method, headers, args)
            except ApiError as exc:
                answer = exc.body()
            self._record(method, args, headers, status, answer, injected)
            return status, {"Content-Type": _JSON, **extra}, json.dumps(answer).encode()

    def _call_handler(
        self, method: str, headers: dict[str, str], args: dict[str, Any]
    ) -> dict[str, Any]:
        handler = HANDLERS.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        token = token or str(args.get("token") or "")
        if not token.startswith("xoxb-"):
            raise ApiError("invalid_auth")
        return {"ok": True, **handler(self._ws, args)}

    def _serve_hook(self, token: str, headers: dict[str, str], body: bytes) -> _Response:
        with self._cond:
            try:
                payload: Any = json.loads(body or b"null")
            except ValueError:
                payload = None
            failure = self._take_failure("response_url")
            extra: dict[str, str] = {}
            if failure is not None:
                status, text, extra = failure.status, failure.error, _retry_headers(failure)
            else:
                status, text = respond(self._ws, token, payload)
            args = payload if isinstance(payload, dict) else {"raw": body.decode(errors="replace")}
            self._record("response_url", args, headers, status, text, failure is not None)
            return status, {"Content-Type": _TEXT, **extra}, text.encode()

    def _serve_upload(self, file_id: str, headers: dict[str, str], body: bytes) -> _Response:
        with self._cond:
            failure = self._take_failure("upload")
            if failure is not None:
                status, text = failure.status, failure.error
            else:
                status, text = receive_upload(self._ws, file_id, body)
            args = {"file_id": file_id, "size": len(body)}
            self._record("upload", args, headers, status, text, failure is not None)
            return status, {"Content-Type": _TEXT}, text.encode()

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        return queue.popleft() if queue else None

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        headers: dict[str, str],
        status: int,
        response: Any,
        injected: bool,
    ) -> None:
        call = Call(
            method=method,
            args=copy.deepcopy(args),
            headers=dict(headers),
            time=time.monotonic(),
            status=status,
            response=response,
            injected_failure=injected,
        )
        self._calls.append(call)
        self._cond.notify_all()

    def _wait_failure(self, method: str, count: int, timeout: float, got: list[Call]) -> str:
        lines = [f"expected {count} call(s) to {method} within {timeout}s, got {len(got)}."]
        lines.append("Calls received:" if self._calls else "No calls were received at all.")
        for call in self._calls:
            outcome = "ok" if call.ok else f"failed: {_short(call.response)}"
            lines.append(f"  {call.method} [{outcome}] args={_short(call.args)}")
        if self._ws.problems:
            lines.append("Problems: " + "; ".join(self._ws.problems))
        return "\n".join(lines)


def _decode_args(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if body:
        if "json" in headers.get("content-type", ""):
            try:
                loaded = json.loads(body)
            except ValueError:
                raise ApiError("invalid_json") from None
            if not isinstance(loaded, dict):
                raise ApiError("invalid_json")
            args.update(loaded)
        else:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            args.update({k: v[-1] for k, v in form.items()})
    return decode_json_args(args)


def _retry_headers(failure: Failure) -> dict[str, str]:
    if failure.retry_after is None or failure.status == 200:
        return {}
    return {"Retry-After": str(failure.retry_after)}


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackStandIn/1.0"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(self.rfile.read(length) if length else b"")

        def do_GET(self) -> None:
            self._answer(b"")

        def _answer(self, body: bytes) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, response_headers, payload = standin._serve(self.path, headers, body)
            self.send_response(status)
            for name, value in response_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default per-request stderr logging."""

    return Handler
