"""Slack-shaped identifiers: message timestamps, object ids, trigger ids and view hashes."""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from typing import Any

# Message ts values start here so they look like real Slack ts ("1700000000.000100").
_TS_BASE_MICROS = 1_700_000_000_000_000
_TS_STEP_MICROS = 100
_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHORT_ALPHABET = _ID_ALPHABET + "abcdefghijklmnopqrstuvwxyz"
_NON_INTERACTIVE = {"image", "plain_text", "mrkdwn"}


class IdFactory:
    """Thread-safe generator of unique, increasing Slack-style identifiers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._serial = itertools.count(1)

    def ts(self) -> str:
        """A unique message ts; later calls compare greater, both as strings and as floats."""
        with self._lock:
            micros = _TS_BASE_MICROS + next(self._ts) * _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def object_id(self, prefix: str) -> str:
        """An id such as ``V0000000001A`` or ``F0000000002B``: prefix, serial, random tail."""
        with self._lock:
            serial = next(self._serial)
        tail = "".join(secrets.choice(_ID_ALPHABET) for _ in range(2))
        return f"{prefix}{serial:010d}{tail}"

    def trigger_id(self) -> str:
        """A trigger id in Slack's ``"1234567890.123456.abcdef0123456789"`` format."""
        with self._lock:
            serial = next(self._serial)
        return f"{int(time.time())}.{serial:06d}.{secrets.token_hex(8)}"

    def view_hash(self) -> str:
        """A view hash; a new one is issued on every change so stale writers can be detected."""
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def token(self) -> str:
        """An unguessable path segment for response_url hooks."""
        return secrets.token_urlsafe(18)

    def short_id(self) -> str:
        """A short random id like the block_id / action_id values Slack generates."""
        return "".join(secrets.choice(_SHORT_ALPHABET) for _ in range(5))

    def fill_block_ids(self, blocks: list[Any]) -> list[Any]:
        """A deep copy of ``blocks`` with the block_id / action_id Slack adds when missing.

        Slack stores and echoes generated ids, so payloads built from stored blocks can always be
        keyed by ``block_id`` and ``action_id`` the way real payloads are.
        """
        filled = copy.deepcopy(blocks)
        for block in filled:
            if not isinstance(block, dict):
                continue
            block.setdefault("block_id", self.short_id())
            for element in _interactive_elements(block):
                element.setdefault("action_id", self.short_id())
        return filled


def _interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    candidates: list[Any] = []
    if block.get("type") == "section":
        candidates.append(block.get("accessory"))
    elif block.get("type") == "input":
        candidates.append(block.get("element"))
    elif block.get("type") == "actions":
        candidates.extend(block.get("elements") or [])
    return [e for e in candidates if isinstance(e, dict) and e.get("type") not in _NON_INTERACTIVE]
