"""Who is an AE and who is a manager in the installed workspace.

Managers are the people HANDOFF_MANAGERS names. AEs are the people HANDOFF_AES names when it
is set; otherwise the members of HANDOFF_AE_CHANNEL (where the briefs go), read with
conversations.members and kept for `ttl` seconds, so someone who joins or leaves the
channel counts within that time. The booker is whoever sent the handoff (handoff/lifecycle).

When Slack cannot say who is in the channel and nothing was read before, nobody counts as
an AE: a decision is refused with "try again" rather than allowed on a guess. A web worker
reads the list as it starts, and a list past half its time is read again in the background,
so a click waits for Slack only when the list has gone unused for longer than `ttl`.
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
        self._refreshing = False

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

    def warm(self) -> threading.Thread | None:
        """Read the AE channel now, in the background, so no click waits for the first read
        (a web worker calls this as it starts). The reading thread, or None: nothing to read."""
        channel = self._settings.ae_channel
        if self._settings.aes or not channel:
            return None
        with self._lock:
            if self._members is not None or self._refreshing:
                return None
            return self._read_in_background(channel)

    def _channel_members(self) -> frozenset[str]:
        channel = self._settings.ae_channel
        if not channel:
            return frozenset()
        with self._lock:
            now = self._clock()
            age = now - self._read_at
            if self._members is not None and age < self._ttl:
                # Past half its life the list is read again in the background, so under
                # steady use no click waits for conversations.members.
                if age >= self._ttl / 2 and not self._refreshing:
                    self._read_in_background(channel)
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

    def _read_in_background(self, channel: str) -> threading.Thread:
        """Start a read of the list (the lock is held: one read at a time)."""
        self._refreshing = True
        thread = threading.Thread(target=self._refresh, args=(channel,), name="roles", daemon=True)
        thread.start()
        return thread

    def _refresh(self, channel: str) -> None:
        started = self._clock()
        try:
            members = self._read(channel)
        except (SlackApiError, OSError) as exc:  # the next question tries again
            log.warning("could not read the AE list in the background: %s", exc)
            members = None
        with self._lock:
            self._refreshing = False
            if members is not None and started >= self._read_at:
                self._members, self._read_at = members, started

    def _read(self, channel: str) -> frozenset[str]:
        members: set[str] = set()
        cursor: str | None = None
        while True:
            page = self._client.conversations_members(channel=channel, limit=PAGE, cursor=cursor)
            members.update(str(m) for m in page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return frozenset(members)
