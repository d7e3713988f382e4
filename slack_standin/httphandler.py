"""The stand-in's HTTP side: parse a request, route it, serve it under the lock, record it.

``/api/<method>`` is the Web API, ``/hooks/<token>`` a response_url, ``/upload/<file_id>`` the raw
upload step of ``files_upload_v2``. Queued failures are taken here, one per request.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .faults import DROP, HANG, FaultInjection, retry_headers
from .inspection import Inspection
from .records import ApiError
from .webapi import APP_LEVEL_METHODS, HANDLERS, decode_json_args, receive_upload, respond

_JSON = "application/json; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
Response = tuple[int, dict[str, str], bytes]


class HttpService(FaultInjection, Inspection):
    """Mixed into ``SlackStandIn``; called from the server's request threads."""

    def _serve(self, path: str, headers: dict[str, str], body: bytes) -> Response:
        parts = urlsplit(path)
        route = parts.path
        if route.startswith("/api/"):
            return self._serve_api(route[len("/api/") :], parts.query, headers, body)
        if route.startswith("/hooks/"):
            return self._serve_hook(route.rsplit("/", 1)[-1], headers, body)
        if route.startswith("/upload/"):
            return self._serve_upload(route[len("/upload/") :], headers, body)
        return 404, {"Content-Type": _TEXT}, b"not_found"

    def _serve_api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        with self._cond:
            extra: dict[str, str] = {}
            status = 200
            injected = False
            args: dict[str, Any] = {}
            try:
                args = decode_args(query, headers, body)
                failure = self._take_failure(method)
                answer: dict[str, Any]
                if failure is None:
                    answer = self._call_handler(method, headers, args)
                elif failure.mode == "answer":
                    injected = True
                    status, extra = failure.status, retry_headers(failure)
                    answer = {"ok": False, "error": failure.error}
                else:
                    injected = True
                    served = failure.mode != "drop_before"
                    answer = self._call_handler(method, headers, args) if served else {}
                    extra = {HANG: str(failure.seconds)} if failure.mode == "hang" else {DROP: "1"}
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
        wanted, other = ("xapp-", "xoxb-") if method in APP_LEVEL_METHODS else ("xoxb-", "xapp-")
        if not token.startswith(wanted):
            # A bot token where an app-level one is needed (or the reverse) is a real token of
            # the wrong type; anything else is no valid token at all.
            raise ApiError("not_allowed_token_type" if token.startswith(other) else "invalid_auth")
        return {"ok": True, **handler(self._ws, args)}

    def _serve_hook(self, token: str, headers: dict[str, str], body: bytes) -> Response:
        with self._cond:
            try:
                payload: Any = json.loads(body or b"null")
            except ValueError:
                payload = None
            failure = self._take_failure("response_url")
            extra: dict[str, str] = {}
            if failure is not None:
                status, text, extra = failure.status, failure.error, retry_headers(failure)
            else:
                status, text = respond(self._ws, token, payload)
            args = payload if isinstance(payload, dict) else {"raw": body.decode(errors="replace")}
            self._record("response_url", args, headers, status, text, failure is not None)
            return status, {"Content-Type": _TEXT, **extra}, text.encode()

    def _serve_upload(self, file_id: str, headers: dict[str, str], body: bytes) -> Response:
        with self._cond:
            failure = self._take_failure("upload")
            if failure is not None:
                status, text = failure.status, failure.error
            else:
                status, text = receive_upload(self._ws, file_id, body)
            args = {"file_id": file_id, "size": len(body)}
            self._record("upload", args, headers, status, text, failure is not None)
            return status, {"Content-Type": _TEXT}, text.encode()


def decode_args(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Query string plus a JSON or form body, the way slack_sdk sends each method."""
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


def handler_for(service: HttpService) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one stand-in (http.server wants a class)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackStandIn/1.0"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(self.rfile.read(length) if length else b"")

        def do_GET(self) -> None:
            self._answer(b"")

        def _answer(self, body: bytes) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, response_headers, payload = service._serve(self.path, headers, body)
            if response_headers.pop(DROP, None):
                self.close_connection = True  # no answer at all: the client sees a dead line
                return
            delay = float(response_headers.pop(HANG, 0) or 0)
            if delay:
                time.sleep(delay)  # outside the stand-in's lock: other calls go on
            try:
                self.send_response(status)
                for name, value in response_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                if not delay:
                    raise
                self.close_connection = True  # the client gave up waiting, as clients do

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default per-request stderr logging."""

    return Handler
