"""The Slack app manifest: what to paste into api.slack.com/apps → Create New App."""

from __future__ import annotations

from typing import Any

from bot.entrypoints.web import EVENTS_PATH
from bot.ids import COMMAND, Callback

PLACEHOLDER_URL = "https://handoff.example.com"
# The narrowest set that works: `commands` for /handoff and the shortcuts,
# `chat:write` for briefs and DMs (invite the bot to the AE channel), `im:write`
# and `mpim:write` to open the AE's DM and the managers' group DM, and the
# `*:history` scopes so a sweep that took over a crashed sender's claim can find a
# message Slack already accepted (by its metadata) instead of posting it twice;
# `files:write` to upload the weekly digest's chart (files_upload_v2); `channels:read`
# and `groups:read` for conversations.members: without HANDOFF_AES, the AEs are the
# members of the AE channel, public or private (bot/roles.py); `users:read` and
# `users:read.email` for users.lookupByEmail: a booking tool names the SDR who booked a
# meeting by email (bot/jobs/booking_intake.py).
BOT_SCOPES = [
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "files:write",
    "channels:read",
    "groups:read",
    "users:read",
    "users:read.email",
]


def build_manifest(base_url: str | None = None, *, socket_mode: bool = False) -> dict[str, Any]:
    url = None if socket_mode else (base_url or PLACEHOLDER_URL).rstrip("/") + EVENTS_PATH
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Hand a booked meeting to the AEs",
        "usage_hint": "[company name]",
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": ["app_home_opened"]}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url:
        command["url"] = url
        events["request_url"] = url
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Handoff",
            "description": "Turn booked meetings into qualified, accepted handoffs.",
            "background_color": "#1d4e89",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "handoff", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "New handoff",
                    "type": "global",
                    "callback_id": Callback.NEW_SHORTCUT.value,
                    "description": "Qualify a meeting you booked and send it to the AEs",
                },
                {
                    "name": "Hand off this meeting",
                    "type": "message",
                    "callback_id": Callback.MESSAGE_SHORTCUT.value,
                    "description": "Start a handoff with this message as notes",
                },
            ],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
