"""The Web API methods the stand-in implements, plus response_url and raw upload endpoints.

Handlers take the decoded arguments and return the success body without ``ok``; they raise
``ApiError`` for the error codes Slack documents on each method's page
(https://docs.slack.dev/reference/methods/chat.postMessage and so on). Nothing here knows HTTP.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from .blockkit import MSG_BLOCKS_TOO_LONG, VIEW_TOO_LARGE, check_blocks, check_view
from .records import ApiError, Upload
from .workspace import Workspace

MAX_TEXT = 40_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A response_url works 5 times in 30 minutes:
# https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
MAX_HOOK_USES = 5
# Arguments that arrive JSON-encoded in form bodies (or in JSON bodies from other clients).
JSON_ARGS = ("blocks", "view", "attachments", "files", "metadata")

Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]
# Called with the app-level token (xapp-); every other method wants the bot token (xoxb-).
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})


def decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON-carrying arguments in place where possible; bad JSON is left as text."""
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


# -- shared checks --------------------------------------------------------------------------------


def _message_content(
    ws: Workspace, source: str, args: dict[str, Any], *, require: bool = True
) -> tuple[str | None, list[Any] | None]:
    """Validated (text, blocks) of an outgoing message; problems go to ``ws.problems``."""
    text = args.get("text")
    if text is not None and not isinstance(text, str):
        text = str(text)
    blocks = args.get("blocks")
    if blocks is not None and not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if require and not text and not blocks and not args.get("attachments"):
        raise ApiError("no_text")
    if blocks:
        problems = check_blocks(blocks, "message")
        if problems:
            ws.report(source, problems)
            too_long = any(p.startswith(MSG_BLOCKS_TOO_LONG) for p in problems)
            raise ApiError(MSG_BLOCKS_TOO_LONG if too_long else "invalid_blocks", problems=problems)
    if text and len(text) > MAX_TEXT:
        ws.report(source, [f"text is {len(text)} characters; Slack truncates it at {MAX_TEXT}"])
        text = text[:MAX_TEXT]
    if blocks and not text:
        # Slack only logs a warning, but notifications and screen readers then get nothing.
        ws.report(source, ["blocks sent without a top-level text fallback"])
    return text, blocks


def _checked_view(ws: Workspace, source: str, args: dict[str, Any]) -> dict[str, Any]:
    view = args.get("view")
    if not isinstance(view, dict):
        ws.report(source, ["view argument missing or not a JSON object"])
        raise ApiError("invalid_arguments", problems=["view argument missing or not an object"])
    problems = check_view(view)
    if problems:
        ws.report(source, problems)
        too_large = any(p.startswith(VIEW_TOO_LARGE) for p in problems)
        raise ApiError(VIEW_TOO_LARGE if too_large else "invalid_arguments", problems=problems)
    return view


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


# -- methods --------------------------------------------------------------------------------------


def auth_test(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    identity = ws.identity
    return {
        "url": f"https://{identity.team_domain}.slack.com/",
        "team": identity.team_name,
        "user": identity.bot_name,
        "team_id": identity.team_id,
        "user_id": identity.bot_user_id,
        "bot_id": identity.bot_id,
        "is_enterprise_install": False,
    }


def apps_connections_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A Socket Mode URL, from the ``SocketModeStandIn`` that is running, if any."""
    if ws.open_socket is None:
        raise ApiError("unknown_method")  # this stand-in serves Socket Mode only when asked to
    return {"url": ws.open_socket()}


def chat_post_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.messages.resolve(args.get("channel"))
    text, blocks = _message_content(ws, "chat.postMessage", args)
    message = ws.messages.post(
        channel, text=text, blocks=blocks, thread_ts=args.get("thread_ts") or None, extra=args
    )
    return {"channel": channel, "ts": message["ts"], "message": message}


def chat_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.messages.resolve(args.get("channel"))
    ts = args.get("ts")
    if not isinstance(ts, str):
        raise ApiError("message_not_found")
    ws.messages.get(channel, ts)  # a missing message is reported before content problems
    text, blocks = _message_content(ws, "chat.update", args)
    message = ws.messages.update(channel, ts, text=text, blocks=blocks)
    return {"channel": channel, "ts": ts, "text": message["text"], "message": message}


def chat_post_ephemeral(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.messages.resolve(args.get("channel"))
    user = args.get("user")
    if not isinstance(user, str) or not user:
        raise ApiError("user_not_found")
    text, blocks = _message_content(ws, "chat.postEphemeral", args)
    ephemeral = ws.messages.post_ephemeral(
        channel,
        user,
        text=text,
        blocks=blocks,
        thread_ts=args.get("thread_ts") or None,
        source="chat.postEphemeral",
    )
    return {"message_ts": ephemeral["ts"]}


def chat_delete(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.messages.resolve(args.get("channel"))
    ws.messages.delete(channel, args.get("ts"))
    return {"channel": channel, "ts": args.get("ts")}


def conversations_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        return {"channel": {"id": ws.messages.resolve(args["channel"])}, "no_op": True}
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 8:
        raise ApiError("too_many_users")
    for user_id in users:
        ws.user(user_id)
    if len(users) == 1:
        channel_id = ws.messages.dm_channel(users[0])
    else:
        channel_id = "G" + "".join(sorted(u[1:] for u in users))[:20]
    return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}


def conversations_members(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A channel's member ids, a page at a time (limit up to 1000, next_cursor when more)."""
    channel = args.get("channel")
    if not isinstance(channel, str) or channel not in ws.channel_members:
        raise ApiError("channel_not_found")
    members = ws.channel_members[channel]
    try:
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        offset = int(str(args.get("cursor") or "0").removeprefix("offset:"))
    except ValueError:
        raise ApiError("invalid_cursor") from None
    more = offset + limit < len(members)
    return {
        "members": members[offset : offset + limit],
        "response_metadata": {"next_cursor": f"offset:{offset + limit}" if more else ""},
    }


def users_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": ws.user(args.get("user"))}


def users_lookup_by_email(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": ws.user_by_email(args.get("email"))}


def views_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = _checked_view(ws, "views.open", args)
    trigger = args.get("trigger_id") or args.get("interactivity_pointer")
    if not trigger:
        raise ApiError("invalid_arguments")
    return {"view": ws.views.open(view, trigger)}


def views_push(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = _checked_view(ws, "views.push", args)
    trigger = args.get("trigger_id") or args.get("interactivity_pointer")
    if not trigger:
        raise ApiError("invalid_arguments")
    return {"view": ws.views.push(view, trigger)}


def views_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise ApiError("invalid_arguments")
    view = _checked_view(ws, "views.update", args)
    updated = ws.views.update(
        view, view_id=view_id, external_id=external_id, hash_=args.get("hash")
    )
    return {"view": updated}


def views_publish(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user_id = args.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise ApiError("invalid_arguments")
    ws.user(user_id)
    view = _checked_view(ws, "views.publish", args)
    if view.get("type") != "home":
        ws.report("views.publish", ["views.publish needs a view of type 'home'"])
        raise ApiError("invalid_arguments", problems=["view type must be 'home'"])
    return {"view": ws.views.publish(user_id, view, args.get("hash"))}


def files_get_upload_url_external(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    filename = args.get("filename")
    try:
        length = int(args.get("length"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None
    if not isinstance(filename, str) or not filename or length < 1:
        raise ApiError("invalid_arguments")
    file_id = ws.ids.object_id("F")
    ws.uploads[file_id] = Upload(
        file_id=file_id, filename=filename, length=length, alt_txt=args.get("alt_txt")
    )
    return {"upload_url": f"{ws.root_url}/upload/{file_id}", "file_id": file_id}


def files_complete_upload_external(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    files = args.get("files")
    if not isinstance(files, list) or not files:
        raise ApiError("invalid_arguments")
    targets = [args["channel_id"]] if args.get("channel_id") else []
    targets += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
    shared_in = [ws.messages.resolve(c) for c in targets]
    channel_id = shared_in[0] if shared_in else None
    uploads = []
    for entry in files:
        upload = ws.uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if upload is None or upload.content is None:
            raise ApiError("file_not_found")
        uploads.append((upload, entry))
    shared = []
    for upload, entry in uploads:
        upload.title = entry.get("title") or upload.filename
        upload.channel_id = channel_id
        upload.initial_comment = args.get("initial_comment")
        upload.thread_ts = args.get("thread_ts")
        upload.completed = True
        shared.append(_file_object(ws, upload))
    # Slack shares the files as one message in each channel, the comment as its text.
    for channel in shared_in:
        ws.messages.post(
            channel,
            text=args.get("initial_comment") or "",
            blocks=None,
            thread_ts=args.get("thread_ts") or None,
            extra={"files": shared, "upload": True},
        )
    return {"files": shared}


def _file_object(ws: Workspace, upload: Upload) -> dict[str, Any]:
    mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    return {
        "id": upload.file_id,
        "created": int(time.time()),
        "name": upload.filename,
        "title": upload.title,
        "mimetype": mimetype,
        "filetype": upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "binary",
        "user": ws.identity.bot_user_id,
        "size": len(upload.content or b""),
        "channels": [upload.channel_id] if upload.channel_id else [],
        "url_private": f"{ws.root_url}/files/{upload.file_id}",
        "permalink": f"{ws.root_url}/files/{upload.file_id}/permalink",
    }


def conversations_history(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """Top-level messages (and replies broadcast to the channel), newest first."""
    channel = ws.messages.resolve(args.get("channel"))
    messages = [
        m
        for m in ws.messages.history(channel)
        if "thread_ts" not in m or m["thread_ts"] == m["ts"] or m.get("reply_broadcast")
    ]
    return _page(list(reversed(messages)), args)


def conversations_replies(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A thread: its parent first, then the replies oldest first."""
    channel = ws.messages.resolve(args.get("channel"))
    ts = args.get("ts")
    if not isinstance(ts, str) or not ts:
        raise ApiError("invalid_arguments")
    try:
        parent = ws.messages.get(channel, ts)
    except ApiError:
        raise ApiError("thread_not_found") from None
    root = parent.get("thread_ts", parent["ts"])
    thread = [
        m for m in ws.messages.history(channel) if m["ts"] == root or m.get("thread_ts") == root
    ]
    return _page(thread, args)


def _page(messages: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """Slack's window and cursor arguments; metadata only when include_all_metadata is set.

    Being strict about metadata makes the app ask for it, as it must to be sure to get it.
    """
    oldest, latest = args.get("oldest"), args.get("latest")
    if oldest:
        messages = [m for m in messages if float(m["ts"]) > float(oldest)]
    if latest:
        messages = [m for m in messages if float(m["ts"]) < float(latest)]
    try:
        limit = max(1, min(int(args.get("limit") or 100), 999))
        offset = int(str(args.get("cursor") or "0").removeprefix("offset:"))
    except ValueError:
        raise ApiError("invalid_cursor") from None
    window = messages[offset : offset + limit]
    if not _flag(args.get("include_all_metadata")):
        for message in window:
            message.pop("metadata", None)
    more = offset + limit < len(messages)
    cursor = f"offset:{offset + limit}" if more else ""
    return {
        "messages": window,
        "has_more": more,
        "response_metadata": {"next_cursor": cursor},
    }


def chat_get_permalink(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.messages.resolve(args.get("channel"))
    ts = args.get("message_ts")
    if not isinstance(ts, str):
        raise ApiError("message_not_found")
    message = ws.messages.get(channel, ts)
    link = f"https://{ws.identity.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return {"channel": channel, "permalink": link}


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "apps.connections.open": apps_connections_open,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "conversations.open": conversations_open,
    "conversations.members": conversations_members,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}


# -- non-API endpoints ----------------------------------------------------------------------------


def receive_upload(ws: Workspace, file_id: str, content: bytes) -> tuple[int, str]:
    """The raw POST of file bytes to an upload_url (step 2 of files_upload_v2)."""
    upload = ws.uploads.get(file_id)
    if upload is None:
        return 404, "file_not_found"
    if len(content) != upload.length:
        ws.report("upload", [f"{file_id}: {len(content)} bytes sent, {upload.length} declared"])
    if upload.filename.lower().endswith(".png") and not content.startswith(PNG_SIGNATURE):
        ws.report("upload", [f"{file_id}: {upload.filename} is not a PNG image"])
    upload.content = content
    return 200, f"OK - {len(content)}"


def respond(ws: Workspace, token: str, body: Any) -> tuple[int, str]:
    """A POST to a response_url; answers (status, text body) like Slack's hooks endpoint."""
    hook = ws.hooks.get(token)
    if hook is None:
        return 404, "expired_url"
    if hook.uses >= MAX_HOOK_USES:
        return 404, "used_url"
    if not isinstance(body, dict):
        ws.report("response_url", ["body is not a JSON object"])
        return 400, "invalid_payload"
    try:
        if _flag(body.get("delete_original")):
            _require_original(hook.channel, hook.ts)
            ws.messages.delete(hook.channel, hook.ts)  # type: ignore[arg-type]
        else:
            _respond_with_message(ws, hook.channel, hook.ts, hook.user_id, body)
    except ApiError as exc:
        return (404 if exc.code == "message_not_found" else 400), exc.code
    hook.uses += 1
    return 200, "ok"


def _respond_with_message(
    ws: Workspace, channel: str | None, ts: str | None, user_id: str | None, body: dict[str, Any]
) -> None:
    text, blocks = _message_content(ws, "response_url", body)
    if _flag(body.get("replace_original")):
        _require_original(channel, ts)
        ws.messages.replace(channel, ts, text=text, blocks=blocks)  # type: ignore[arg-type]
        return
    if channel is None:
        raise ApiError("channel_not_found")
    thread_ts = body.get("thread_ts") or None
    if body.get("response_type") == "in_channel":
        ws.messages.post(channel, text=text, blocks=blocks, thread_ts=thread_ts, extra=body)
    else:
        # Slack's default response_type is ephemeral: only the user who acted sees it.
        ws.messages.post_ephemeral(
            channel,
            user_id or "",
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            source="response_url",
        )


def _require_original(channel: str | None, ts: str | None) -> None:
    if channel is None or ts is None:
        raise ApiError("message_not_found")
