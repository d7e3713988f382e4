"""``SocketModeStandIn``: Slack's end of Socket Mode, a websocket server beside ``SlackStandIn``.

The protocol, as https://docs.slack.dev/apis/events-api/using-socket-mode describes it: the app
calls apps.connections.open with its app-level token, connects to the URL it gets, receives a
``hello``, then acknowledges every envelope by its ``envelope_id``. Envelopes carry the payloads
Slack would POST over HTTP, so ``SocketModeSender`` reuses the builders of ``PayloadSender``.

Needs the ``websockets`` package (the ``dev`` extra); it is imported only when a server starts,
so the demo, which never starts one, runs without it.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .client import PayloadSender, Reply
from .server import SlackStandIn

KINDS = ("slash_commands", "interactive", "events_api")
# Acks to these can carry no response; Slack marks their envelopes accepts_response_payload false.
_NO_RESPONSE_INTERACTIONS = {"shortcut", "message_action"}


@dataclass(frozen=True)
class Ack:
    """The app's acknowledgement of one envelope; ``payload`` is its response, if any."""

    envelope_id: str
    payload: dict[str, Any] | None
    time: float


class _Link:
    """One open websocket. Tests and the reading thread both send on it, so sends take turns."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.connection.send(json.dumps(message))


class SocketModeStandIn:
    """Socket Mode for the app under test, served next to ``standin`` on ``host:port``."""

    def __init__(self, standin: SlackStandIn, host: str = "127.0.0.1", port: int = 0) -> None:
        self.standin = standin
        self._address = (host, port)
        self._port = port
        # Never held while calling into the stand-in: its lock is held when it calls _issue_url.
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        self._hellos = 0
        self._envelopes: dict[str, dict[str, Any]] = {}
        self._acks: list[Ack] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SocketModeStandIn:
        if self._server is not None:
            return self
        from websockets.sync.server import serve

        self._server = serve(
            self._serve_link,
            *self._address,
            process_request=self._check_ticket,
            compression=None,
            close_timeout=1,
        )
        self._port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.standin.use_socket_mode(self._issue_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.standin.use_socket_mode(None)
        with self._cond:
            links = list(self._links)
        for link in links:  # older websockets releases leave connections open on shutdown
            link.connection.close()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what Slack sends -----------------------------------------------------------------------

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> str:
        """Send ``payload`` in an envelope on the newest connection; returns its envelope_id."""
        if kind not in KINDS:
            raise ValueError(f"unknown envelope type {kind!r}; Slack sends one of {KINDS}")
        if accepts_response_payload is None:
            accepts_response_payload = _accepts_response(kind, payload)
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":  # only events are retried, so only they say which try this is
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        link = self._newest_link(timeout)
        with self._cond:
            self._envelopes[envelope["envelope_id"]] = envelope
        link.send(envelope)
        return str(envelope["envelope_id"])

    def refresh(self) -> None:
        """Ask every connection to reconnect, as Slack does every few hours."""
        with self._cond:
            links = list(self._links)
        for link in links:
            link.send({"type": "disconnect", "reason": "refresh_requested", "debug_info": {}})

    # -- what tests read ------------------------------------------------------------------------

    @property
    def connections(self) -> int:
        with self._cond:
            return len(self._links)

    @property
    def envelopes(self) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(list(self._envelopes.values()))

    @property
    def acks(self) -> list[Ack]:
        with self._cond:
            return list(self._acks)

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` connections have been greeted with ``hello`` in all."""
        if not self._wait(lambda: self._hellos >= count and bool(self._links), timeout):
            raise AssertionError(f"expected {count} Socket Mode connection(s) within {timeout}s")

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        """Block until the app acks ``envelope_id``; returns the ack."""
        found: list[Ack] = []

        def acked() -> bool:
            found[:] = [a for a in self._acks if a.envelope_id == envelope_id]
            return bool(found)

        if not self._wait(acked, timeout):
            seen = [a.envelope_id for a in self.acks]
            raise AssertionError(f"envelope {envelope_id} not acked in {timeout}s; acks: {seen}")
        return found[0]

    # -- the server side (websocket threads) ----------------------------------------------------

    def _issue_url(self) -> str:
        ticket = secrets.token_urlsafe(12)
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://{self._address[0]}:{self._port}/link/?ticket={ticket}"

    def _check_ticket(self, connection: Any, request: Any) -> Any:
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._cond:
            issued = ticket in self._tickets
        if issued:
            return None
        self.standin.report_problem("socket mode", f"{request.path} was not issued by Slack")
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")

    def _serve_link(self, connection: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        link = _Link(connection)
        with self._cond:
            count = len(self._links) + 1
        link.send(self._hello(count))  # before it is listed, so no envelope can precede it
        with self._cond:
            self._links.append(link)
            self._hellos += 1
            self._cond.notify_all()
        try:
            for message in connection:
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._links.remove(link)
                self._cond.notify_all()

    def _receive(self, message: str | bytes) -> None:
        problem = None
        try:
            ack = json.loads(message)
        except ValueError:
            ack = None
        with self._cond:
            envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
            envelope = self._envelopes.get(str(envelope_id))
            if envelope is None:
                problem = f"message that acks no envelope sent: {str(message)[:200]}"
            elif any(a.envelope_id == envelope_id for a in self._acks):
                problem = f"envelope {envelope_id} acked twice"
            elif ack.get("payload") is not None and not envelope["accepts_response_payload"]:
                problem = f"{envelope['type']} {envelope_id} acked with a payload Slack ignores"
            if envelope is not None and isinstance(ack, dict):
                self._acks.append(Ack(str(envelope_id), ack.get("payload"), time.monotonic()))
                self._cond.notify_all()
        if problem is not None:
            self.standin.report_problem("socket mode", problem)

    def _hello(self, num_connections: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "connection_info": {"app_id": self.standin.identity.app_id},
            "debug_info": {"host": "slack-standin", "approximate_connection_time": 3600},
        }

    def _newest_link(self, timeout: float) -> _Link:
        if not self._wait(lambda: bool(self._links), timeout):
            raise AssertionError(f"no Socket Mode connection within {timeout}s to send on")
        with self._cond:
            return self._links[-1]

    def _wait(self, ready: Any, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(ready, timeout)


class SocketModeSender(PayloadSender):
    """``SlackSender``'s payloads, sent as envelopes; the app's ack is the reply.

    An ack with a payload becomes a JSON body (a view_submission's ``response_action``, a slash
    command's message), so ``apply_view_response`` and the demo's drivers work unchanged.
    """

    def __init__(
        self,
        socket: SocketModeStandIn,
        team_id: str | None = None,
        api_app_id: str = "AHANDOFF",
        *,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(socket.standin, team_id, api_app_id, timeout=timeout)
        self.socket = socket

    def _deliver(self, kind: str, payload: dict[str, Any]) -> Reply:
        envelope_id = self.socket.send(kind, payload, timeout=self.timeout)
        ack = self.socket.wait_for_ack(envelope_id, timeout=self.timeout)
        if ack.payload is None:
            return Reply(200, "", {})
        return Reply(200, json.dumps(ack.payload), {"Content-Type": "application/json"})


def _accepts_response(kind: str, payload: dict[str, Any]) -> bool:
    if kind == "events_api":
        return False
    return kind == "slash_commands" or payload.get("type") not in _NO_RESPONSE_INTERACTIONS
