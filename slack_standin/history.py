"""Channel history as the stand-in keeps it: messages, thread replies, edits, ephemerals."""

from __future__ import annotations

import copy
from typing import Any

from .identifiers import IdFactory
from .records import ApiError, Identity

# Message fields an app may set that Slack stores and echoes back unchanged.
_ECHOED_FIELDS = (
    "attachments",
    "metadata",
    "reply_broadcast",
    "icon_emoji",
    "username",
    "files",  # set by files.completeUploadExternal when it shares a file
    "upload",
)


class MessageStore:
    """Messages per channel id. Not thread-safe: the stand-in serialises access."""

    def __init__(self, ids: IdFactory, identity: Identity) -> None:
        self._ids = ids
        self._identity = identity
        self._channels: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The IM channel id for a user: stable and predictable (``U123`` → ``D123``)."""
        return "D" + user_id[1:]

    def resolve(self, channel: Any) -> str:
        """A channel id to post into; a user id (``U…``/``W…``) means the DM with that user."""
        if not isinstance(channel, str) or not channel:
            raise ApiError("channel_not_found")
        if channel[0] in "UW":
            return self.dm_channel(channel)
        if channel[0] in "CGD":
            return channel
        # Channel names ("#general") work on real Slack, but an app should store ids.
        raise ApiError("channel_not_found")

    def post(
        self,
        channel: str,
        *,
        text: str | None,
        blocks: list[Any] | None,
        thread_ts: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self._identity.bot_user_id,
            "bot_id": self._identity.bot_id,
            "app_id": self._identity.app_id,
            "team": self._identity.team_id,
            "ts": self._ids.ts(),
            "text": text or "",
        }
        if blocks:
            message["blocks"] = self._ids.fill_block_ids(blocks)
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = self._find_or_none(channel, thread_ts)
            if parent is not None:
                parent.setdefault("thread_ts", parent["ts"])
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = message["ts"]
        for key in _ECHOED_FIELDS:
            if extra and extra.get(key) is not None:
                message[key] = copy.deepcopy(extra[key])
        self._channels.setdefault(channel, []).append(message)
        return copy.deepcopy(message)

    def update(
        self, channel: str, ts: Any, *, text: str | None, blocks: list[Any] | None
    ) -> dict[str, Any]:
        """chat.update: omitted fields are kept and ``blocks=[]`` removes the blocks."""
        message = self._find(channel, ts)
        if text is not None:
            message["text"] = text
        if blocks is not None:
            if blocks:
                message["blocks"] = self._ids.fill_block_ids(blocks)
            else:
                message.pop("blocks", None)
        message["edited"] = {"user": self._identity.bot_user_id, "ts": self._ids.ts()}
        return copy.deepcopy(message)

    def replace(
        self, channel: str, ts: Any, *, text: str | None, blocks: list[Any] | None
    ) -> dict[str, Any]:
        """Replace the whole content, as response_url ``replace_original`` does."""
        message = self._find(channel, ts)
        message["text"] = text or ""
        message.pop("blocks", None)
        if blocks:
            message["blocks"] = self._ids.fill_block_ids(blocks)
        message["edited"] = {"user": self._identity.bot_user_id, "ts": self._ids.ts()}
        return copy.deepcopy(message)

    def delete(self, channel: str, ts: Any) -> None:
        message = self._find(channel, ts)
        self._channels[channel].remove(message)

    def history(self, channel: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self._channels.get(channel, []))

    def get(self, channel: str, ts: str) -> dict[str, Any]:
        return copy.deepcopy(self._find(channel, ts))

    def post_ephemeral(
        self,
        channel: str,
        user: str,
        *,
        text: str | None,
        blocks: list[Any] | None,
        thread_ts: str | None,
        source: str,
    ) -> dict[str, Any]:
        ephemeral: dict[str, Any] = {
            "type": "message",
            "subtype": "ephemeral",
            "channel": channel,
            "user": user,
            "ts": self._ids.ts(),
            "text": text or "",
            "source": source,
        }
        if blocks:
            ephemeral["blocks"] = self._ids.fill_block_ids(blocks)
        if thread_ts:
            ephemeral["thread_ts"] = thread_ts
        self.ephemerals.append(ephemeral)
        return copy.deepcopy(ephemeral)

    def clear(self) -> None:
        self._channels.clear()
        self.ephemerals.clear()

    def _find(self, channel: str, ts: Any) -> dict[str, Any]:
        message = self._find_or_none(channel, ts)
        if message is None:
            raise ApiError("message_not_found")
        return message

    def _find_or_none(self, channel: str, ts: Any) -> dict[str, Any] | None:
        for message in self._channels.get(channel, []):
            if message["ts"] == ts:
                return message
        return None
