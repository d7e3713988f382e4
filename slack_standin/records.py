"""Plain records shared by the stand-in's modules: recorded calls, queued failures, API errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request that reached the stand-in, as the test wants to see it.

    ``method`` is the Web API method (``"chat.postMessage"``), ``"response_url"`` for a POST to
    a response_url, or ``"upload"`` for the raw file upload of ``files_upload_v2``.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    response: Any = None
    injected_failure: bool = False

    @property
    def ok(self) -> bool:
        """True when Slack would have reported success (HTTP 200 and ``ok`` or ``"ok"``)."""
        if self.status != 200:
            return False
        if isinstance(self.response, dict):
            return bool(self.response.get("ok"))
        return self.response in ("ok", None) or str(self.response).startswith("OK")


@dataclass(frozen=True)
class Failure:
    """A failure queued by ``fail_next``: the next matching call gets this instead of service."""

    status: int
    error: str
    retry_after: int | None
    # How the connection fails: "answer" (an HTTP error answer), "drop_before" (closed before
    # Slack acted), "drop_after" (Slack acted, then the connection broke before the answer),
    # "hang" (Slack acted, the answer comes `seconds` late: a client's read timeout).
    mode: str = "answer"
    seconds: float = 0.0


@dataclass(frozen=True)
class Identity:
    """Who the stand-in says the workspace and the bot are (auth.test and every payload)."""

    team_id: str = "T0HANDOFF"
    team_domain: str = "handoff"
    team_name: str = "Handoff"
    bot_user_id: str = "UHANDOFFBOT"
    bot_id: str = "BHANDOFF"
    bot_name: str = "handoff"
    app_id: str = "AHANDOFF"


class ApiError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": code}``."""

    def __init__(self, code: str, *, problems: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.problems = problems or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.code}
        if self.problems:
            # Slack lists block problems under "errors" and repeats them as [ERROR] messages.
            if self.code in ("invalid_blocks", "msg_blocks_too_long"):
                body["errors"] = list(self.problems)
            body["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in self.problems]}
        return body


@dataclass
class Upload:
    """A file going through files.getUploadURLExternal → upload → completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None = None
    content: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class Hook:
    """A response_url issued by the stand-in and what it acts on."""

    channel: str | None
    ts: str | None
    user_id: str | None
    uses: int = 0
