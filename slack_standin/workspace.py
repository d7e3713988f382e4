"""All state of the pretend workspace, behind one object the method handlers share."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .history import MessageStore
from .identifiers import IdFactory
from .records import ApiError, Hook, Identity, Upload
from .viewstore import ViewStore

DEFAULT_TZ = "America/New_York"


class Workspace:
    """Messages, views, users, uploads, response_url hooks and the problems found so far.

    Not thread-safe by itself: the HTTP server holds one lock around every request.
    """

    def __init__(self, identity: Identity, *, trigger_ttl: float) -> None:
        self.identity = identity
        self.ids = IdFactory()
        self.messages = MessageStore(self.ids, identity)
        self.views = ViewStore(self.ids, identity, trigger_ttl)
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_names: dict[str, str] = {}
        self.channel_members: dict[str, list[str]] = {}  # channels added with add_channel
        self.uploads: dict[str, Upload] = {}
        self.hooks: dict[str, Hook] = {}
        self.problems: list[str] = []
        self.root_url = ""  # "http://127.0.0.1:PORT", set once the server is bound
        # Issues a Socket Mode URL for apps.connections.open while a SocketModeStandIn runs.
        self.open_socket: Callable[[], str] | None = None

    def report(self, source: str, problems: list[str]) -> None:
        self.problems.extend(f"{source}: {p}" for p in problems)

    def reset(self) -> None:
        self.messages.clear()
        self.views.clear_all()
        self.uploads.clear()
        self.hooks.clear()
        self.problems.clear()

    # -- users ----------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = DEFAULT_TZ,
        email: str | None = None,
        is_bot: bool = False,
    ) -> dict[str, Any]:
        name = name or user_id.lower()
        real_name = real_name or name.replace(".", " ").title()
        offset, label = _tz_details(tz)
        user = {
            "id": user_id,
            "team_id": self.identity.team_id,
            "name": name,
            "deleted": False,
            "real_name": real_name,
            "tz": tz,
            "tz_label": label,
            "tz_offset": offset,
            "is_bot": is_bot,
            "is_admin": False,
            "is_app_user": False,
            "updated": int(time.time()),
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "email": email or f"{name}@{self.identity.team_domain}.example",
                "team": self.identity.team_id,
            },
        }
        self.users[user_id] = user
        return copy.deepcopy(user)

    def user(self, user_id: Any) -> dict[str, Any]:
        """A user by id. Unknown ``U…``/``W…`` ids get a generated profile so tests stay short."""
        if not isinstance(user_id, str) or not user_id:
            raise ApiError("user_not_found")
        if user_id not in self.users:
            if user_id == self.identity.bot_user_id:
                self.add_user(user_id, name=self.identity.bot_name, is_bot=True)
            elif user_id[0] in "UW":
                self.add_user(user_id, real_name=f"User {user_id}")
            else:
                raise ApiError("user_not_found")
        return copy.deepcopy(self.users[user_id])

    def user_by_email(self, email: Any) -> dict[str, Any]:
        for user in self.users.values():
            if user["profile"]["email"] == email:
                return copy.deepcopy(user)
        raise ApiError("users_not_found")

    def channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        return self.channel_names.get(channel_id, channel_id.lower())

    # -- response_url hooks ---------------------------------------------------------------------

    def issue_hook(self, channel: str | None, ts: str | None, user_id: str | None) -> str:
        token = self.ids.token()
        self.hooks[token] = Hook(channel=channel, ts=ts, user_id=user_id)
        return f"{self.root_url}/hooks/{self.identity.team_id}/{token}"


def _tz_details(tz: str) -> tuple[int, str]:
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return 0, tz
    offset = now.utcoffset()
    return (int(offset.total_seconds()) if offset else 0), (now.tzname() or tz)
