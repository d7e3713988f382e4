"""``SlackStandIn``: a local HTTP server that answers the real ``slack_sdk.WebClient`` like Slack.

Point a client at ``standin.base_url`` and every call is served from in-memory state, recorded as
a ``Call`` and checked against Block Kit rules; problems are collected in ``standin.problems``.
The class is assembled from three parts: ``httphandler`` serves requests, ``faults`` queues
failures, ``inspection`` is what tests read. This module holds the lifecycle and the setup.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from slack_sdk import WebClient

from .blockkit import check_view
from .faults import FaultInjection
from .httphandler import HttpService, handler_for
from .inspection import Inspection
from .records import ApiError, Call, Failure, Identity
from .workspace import Workspace


class SlackStandIn(HttpService, FaultInjection, Inspection):
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
        server = ThreadingHTTPServer(self._address, handler_for(self))
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

    def use_socket_mode(self, issue_url: Callable[[], str] | None) -> None:
        """Let apps.connections.open answer with ``issue_url()``; None turns Socket Mode off."""
        with self._cond:
            self._ws.open_socket = issue_url

    def reset(self) -> None:
        """Forget calls, queued failures, problems and workspace content (users are kept)."""
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._random_faults = None
            self._ws.reset()

    # -- setting the workspace up ---------------------------------------------------------------

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

    def add_channel(self, channel_id: str, name: str, members: Iterable[str] = ()) -> None:
        """A channel conversations.members knows, with these members (see `join`)."""
        with self._cond:
            self._ws.channel_names[channel_id] = name
            self._ws.channel_members.setdefault(channel_id, [])
        self.join(channel_id, *members)

    def join(self, channel_id: str, *users: str) -> None:
        with self._cond:
            members = self._ws.channel_members.setdefault(channel_id, [])
            members.extend(u for u in users if u not in members)

    def leave(self, channel_id: str, *users: str) -> None:
        with self._cond:
            members = self._ws.channel_members.get(channel_id, [])
            members[:] = [m for m in members if m not in users]

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
