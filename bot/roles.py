"""Who is an AE and who is a manager in the installed workspace.

Managers are the people HANDOFF_MANAGERS names. AEs are the people HANDOFF_AES names when it
is set; otherwise the members of HANDOFF_AE_CHANNEL (where the briefs go), read with
conversations.members and kept for `ttl` seconds, so someone who joins or leaves the
channel counts within that time. The booker is whoever sent the handoff (handoff/lifecycle).

When Slack cannot say who is in the channel and nothing was read before, nobody counts as
an AE: a decision is refused with "try again" rather than allowed on a guess.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import Settings

log = logging.getLogger(__name__)

CHANNEL_TTL = 300.0  # seconds a read of the AE channel's members is trusted
PAGE = 500


class RolesUnknown(Exception):
    """Slack could not say who the AEs are, and no earlier answer is at hand."""


@dataclass(frozen=True)
class Roles:
    user_id: str
    is_ae: bool
    is_manager: bool


class Directory:
    """Answers "is this person an AE / a manager?"; safe to share across threads."""

    def __init__(
        self,
        settings: Settings,
        client: WebClient,
        *,
        ttl: float = CHANNEL_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] | None = None
        self._read_at = 0.0

    @property
    def source(self) -> str:
        """Where AEs come from, for logs and docs."""
        if self._settings.aes:
            return "HANDOFF_AES"
        return f"members of {self._settings.ae_channel or '(no AE channel)'}"

    def is_manager(self, user_id: str) -> bool:
        return user_id in self._settings.managers

    def is_ae(self, user_id: str) -> bool:
        """Raises RolesUnknown when the AE channel cannot be read."""
        if self._settings.aes:
            return user_id in self._settings.aes
        return user_id in self._channel_members()

    def roles(self, user_id: str) -> Roles:
        return Roles(user_id, self.is_ae(user_id), self.is_manager(user_id))

    def _channel_members(self) -> frozenset[str]:
        channel = self._settings.ae_channel
        if not channel:
            return frozenset()
        with self._lock:
            now = self._clock()
            if self._members is not None and now - self._read_at < self._ttl:
                return self._members
            try:
                self._members = self._read(channel)
                self._read_at = now
            except SlackApiError as exc:
                error = exc.response.get("error")
                if self._members is None:
                    raise RolesUnknown(f"conversations.members failed: {error}") from exc
                # A stale list beats refusing every AE while Slack has a bad minute.
                log.warning("kept the AE list read earlier: conversations.members %s", error)
            except OSError as exc:
                if self._members is None:
                    raise RolesUnknown(f"conversations.members failed: {exc}") from exc
                log.warning("kept the AE list read earlier: %s", exc)
            return self._members

    def _read(self, channel: str) -> frozenset[str]:
        members: set[str] = set()
        cursor: str | None = None
        while True:
            page = self._client.conversations_members(channel=channel, limit=PAGE, cursor=cursor)
            members.update(str(m) for m in page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return frozenset(members)
