"""The Slack side of inbound traffic: payloads built as Slack builds them, then delivered.

``PayloadSender`` builds them from what the stand-in holds; ``SlackSender`` POSTs them signed,
as Slack does to a Request URL (``socketmode.SocketModeSender`` sends them over Socket Mode).

Payload shapes follow Slack's references: slash commands
https://docs.slack.dev/interactivity/implementing-slash-commands, interactions
https://docs.slack.dev/reference/interaction-payloads, events https://docs.slack.dev/apis/events-api
and https://docs.slack.dev/reference/events/app_home_opened. Trigger ids and response_urls come
from the stand-in, so what the app does with them (views.open, respond()) is served and checked
by the stand-in too.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from .server import SlackStandIn
from .state import (
    UNANSWERED,
    action_entry,
    find_element,
    input_slots,
    is_empty,
    is_stateful,
    match_answers,
    state_entry,
)

VERIFICATION_TOKEN = "standin-verification-token"  # the deprecated `token` field Slack still sends
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Reply:
    """The app's HTTP answer to one request."""

    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


@dataclass(frozen=True)
class ViewOutcome:
    """What Slack did with the app's answer to a view_submission.

    ``action`` is ``"close"``, ``"clear"``, ``"update"``, ``"push"``, ``"errors"`` or
    ``"rejected"`` (the new view was invalid; see ``standin.problems``).
    """

    action: str
    view: dict[str, Any] | None = None
    errors: dict[str, str] = field(default_factory=dict)


class PayloadSender:
    """Slash commands, interactions and events as Slack sends them; a subclass delivers them."""

    def __init__(
        self,
        standin: SlackStandIn,
        team_id: str | None = None,
        api_app_id: str = "AHANDOFF",
        *,
        timeout: float = 10.0,
    ) -> None:
        self.standin = standin
        self.team_id = team_id or standin.identity.team_id
        self.api_app_id = api_app_id
        self.timeout = timeout
        # People from another organisation in a Slack Connect channel: their own team id,
        # which Slack sends as user.team_id while team.id stays the channel's workspace.
        self.user_teams: dict[str, str] = {}

    def _deliver(self, kind: str, payload: dict[str, Any]) -> Reply:
        """Send ``payload`` (``kind`` as Socket Mode names it) and return the app's answer."""
        raise NotImplementedError

    # -- slash commands and shortcuts -----------------------------------------------------------

    def slash_command(
        self, user_id: str, command: str, text: str, channel_id: str = "C0GENERAL"
    ) -> Reply:
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.standin.identity.team_domain,
            "channel_id": channel_id,
            "channel_name": self.standin.channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user(user_id)["username"],
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",  # a form field, so a string
            "response_url": self.standin.response_url(channel=channel_id, user_id=user_id),
            "trigger_id": self.standin.issue_trigger_id(),
        }
        return self._deliver("slash_commands", fields)

    def global_shortcut(self, user_id: str, callback_id: str) -> Reply:
        payload = {
            "type": "shortcut",
            **self._common(user_id),
            "callback_id": callback_id,
            "trigger_id": self.standin.issue_trigger_id(),
            "action_ts": _now_ts(),
        }
        return self._deliver("interactive", payload)

    def message_shortcut(
        self, user_id: str, callback_id: str, channel_id: str, message: dict[str, Any]
    ) -> Reply:
        ts = message.get("ts")
        payload = {
            "type": "message_action",
            **self._common(user_id),
            "callback_id": callback_id,
            "trigger_id": self.standin.issue_trigger_id(),
            "action_ts": _now_ts(),
            "channel": self._channel(channel_id),
            "message_ts": ts,
            "message": copy.deepcopy(message),
            "response_url": self.standin.response_url(channel=channel_id, ts=ts, user_id=user_id),
        }
        return self._deliver("interactive", payload)

    # -- block actions --------------------------------------------------------------------------

    def block_action_in_message(
        self,
        user_id: str,
        channel_id: str,
        ts: str,
        action_id: str,
        block_id: str,
        value: Any,
        *,
        seen: dict[str, Any] | None = None,
    ) -> Reply:
        """A click or choice on a message the stand-in holds (``ValueError`` if not rendered).

        ``seen`` is the message as this user's client still shows it (an older version),
        for clicks on buttons that were already updated away.
        """
        try:
            message = seen if seen is not None else self.standin.message(channel_id, ts)
        except KeyError as exc:
            raise ValueError(str(exc)) from None
        element = find_element(message.get("blocks") or [], block_id, action_id)
        action = action_entry(element, block_id, value=value, action_ts=_now_ts())
        values: dict[str, Any] = {}
        if is_stateful(element):
            values[block_id] = {action_id: state_entry(element, value)}
        payload = {
            "type": "block_actions",
            **self._common(user_id),
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": self.standin.issue_trigger_id(),
            "channel": self._channel(channel_id),
            "message": message,
            "state": {"values": values},
            "response_url": self.standin.response_url(channel=channel_id, ts=ts, user_id=user_id),
            "actions": [action],
        }
        return self._deliver("interactive", payload)

    def block_action_in_view(
        self,
        user_id: str,
        view_id: str,
        action_id: str,
        block_id: str,
        value: Any = None,
        selected_option: dict[str, Any] | None = None,
    ) -> Reply:
        """A click or choice inside a modal or Home tab; stateful choices are kept in the view."""
        view = self._view(view_id)
        element = find_element(view["blocks"], block_id, action_id)
        action = action_entry(
            element, block_id, value=value, selected_option=selected_option, action_ts=_now_ts()
        )
        if is_stateful(element):
            values = copy.deepcopy(view["state"]["values"])
            answer = selected_option if selected_option is not None else value
            values.setdefault(block_id, {})[action_id] = state_entry(element, answer)
            self.standin.set_view_state(view_id, values)
            view = self._view(view_id)
        payload = {
            "type": "block_actions",
            **self._common(user_id),
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": self.standin.issue_trigger_id(view_id),
            "view": view,
            "state": copy.deepcopy(view["state"]),
            "actions": [action],
        }
        return self._deliver("interactive", payload)

    # -- views ----------------------------------------------------------------------------------

    def submit_view(
        self,
        user_id: str,
        view_id: str,
        answers: dict[str, Any],
        *,
        enforce_required: bool = True,
    ) -> Reply:
        """Submit the modal the stand-in holds, filling its inputs from ``answers``.

        Keys are action_ids (or ``"block_id.action_id"`` when an action_id repeats). Values are
        what the user chose: a string for text and select inputs (the option's value), a list for
        multi-value inputs, ``datetime.date``/``time``/``datetime`` or strings for pickers.
        Raises ValueError for unknown inputs, values that are not options, and (unless
        ``enforce_required=False``) empty required inputs, which Slack's client never submits.
        """
        view = self._view(view_id)
        if view.get("type") != "modal":
            raise ValueError(f"view {view_id} is a {view.get('type')}, not a modal")
        slots = input_slots(view)
        matched = match_answers(slots, answers)
        values = copy.deepcopy(view["state"]["values"])
        response_urls = []
        for slot in slots:
            # What the user typed earlier (type_into) stays unless this call answers it anew.
            typed = values.get(slot.block_id, {}).get(slot.action_id)
            if slot.key in matched or typed is None:
                entry = state_entry(slot.element, matched.get(slot.key, UNANSWERED))
            else:
                entry = typed
            if enforce_required and not slot.optional and is_empty(entry):
                raise ValueError(f"required input {slot.key} is empty; Slack would not submit")
            values.setdefault(slot.block_id, {})[slot.action_id] = entry
            channel = entry.get("selected_conversation") or entry.get("selected_channel")
            if slot.element.get("response_url_enabled") and channel:
                url = self.standin.response_url(channel=channel, user_id=user_id)
                response_urls.append(
                    {
                        "block_id": slot.block_id,
                        "action_id": slot.action_id,
                        "channel_id": channel,
                        "response_url": url,
                    }
                )
        self.standin.set_view_state(view_id, values)
        payload = {
            "type": "view_submission",
            **self._common(user_id),
            "trigger_id": self.standin.issue_trigger_id(view_id),
            "view": self._view(view_id),
            "response_urls": response_urls,
        }
        return self._deliver("interactive", payload)

    def type_into(self, view_id: str, answers: dict[str, Any]) -> None:
        """The user types or picks in a modal without submitting; Slack keeps it in view.state.

        Keys and values as for ``submit_view``. Nothing is sent to the app.
        """
        view = self._view(view_id)
        slots = input_slots(view)
        matched = match_answers(slots, answers)
        values = copy.deepcopy(view["state"]["values"])
        for slot in slots:
            if slot.key in matched:
                entry = state_entry(slot.element, matched[slot.key])
                values.setdefault(slot.block_id, {})[slot.action_id] = entry
        self.standin.set_view_state(view_id, values)

    def apply_view_response(self, view_id: str, reply: Reply) -> ViewOutcome:
        """Do what Slack does with the app's answer to a view_submission of ``view_id``."""
        if reply.status != 200:
            raise AssertionError(f"view_submission answered HTTP {reply.status}: {reply.body!r}")
        if not reply.body.strip():
            self.standin.close_view(view_id)
            return ViewOutcome("close")
        try:
            answer = reply.json()
        except ValueError:
            raise AssertionError(f"view_submission answer is not JSON: {reply.body!r}") from None
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action == "update":
            updated = self.standin.replace_view(view_id, answer.get("view"))
            return ViewOutcome("update", view=updated) if updated else ViewOutcome("rejected")
        if action == "push":
            pushed = self.standin.push_view(view_id, answer.get("view"))
            return ViewOutcome("push", view=pushed) if pushed else ViewOutcome("rejected")
        if action == "errors":
            return ViewOutcome("errors", errors=self._checked_errors(view_id, answer))
        if action == "clear":
            self.standin.close_view(view_id, clear=True)
            return ViewOutcome("clear")
        self.standin.report_problem("view_submission", f"unknown response_action {action!r}")
        self.standin.close_view(view_id)
        return ViewOutcome("close")

    def close_view(self, user_id: str, view_id: str) -> Reply | None:
        """The user closes a modal; Slack tells the app only if the view has notify_on_close."""
        view = self._view(view_id)
        self.standin.close_view(view_id)
        if not view.get("notify_on_close"):
            return None
        payload = {
            "type": "view_closed",
            **self._common(user_id),
            "view": view,
            "is_cleared": False,
        }
        return self._deliver("interactive", payload)

    # -- events ---------------------------------------------------------------------------------

    def event(self, event: dict[str, Any], event_id: str | None = None) -> Reply:
        identity = self.standin.identity
        now = time.time()
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": identity.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self._deliver("events_api", envelope)

    def app_home_opened(self, user_id: str) -> Reply:
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.standin.dm_channel(user_id),
            "tab": "home",
        }
        home = self.standin.home(user_id)
        if home is not None:
            event["view"] = home  # Slack includes the view only once one was published
        return self.event(event)

    # -- payload parts --------------------------------------------------------------------------

    def _common(self, user_id: str) -> dict[str, Any]:
        return {
            "token": VERIFICATION_TOKEN,
            "api_app_id": self.api_app_id,
            "team": {"id": self.team_id, "domain": self.standin.identity.team_domain},
            "user": self._user(user_id),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _user(self, user_id: str) -> dict[str, Any]:
        name = self.standin.user(user_id)["name"]
        team = self.user_teams.get(user_id, self.team_id)
        return {"id": user_id, "username": name, "name": name, "team_id": team}

    def _channel(self, channel_id: str) -> dict[str, str]:
        return {"id": channel_id, "name": self.standin.channel_name(channel_id)}

    def _view(self, view_id: str) -> dict[str, Any]:
        try:
            return self.standin.view(view_id)
        except KeyError as exc:
            raise ValueError(str(exc)) from None

    def _checked_errors(self, view_id: str, answer: dict[str, Any]) -> dict[str, str]:
        errors = answer.get("errors")
        if not isinstance(errors, dict) or not errors:
            self.standin.report_problem("view_submission", "response_action errors without errors")
            return {}
        inputs = {slot.block_id for slot in input_slots(self._view(view_id))}
        for block_id in errors:
            if block_id not in inputs:
                # Slack shows errors only under input blocks; anything else is lost on the user.
                self.standin.report_problem(
                    "view_submission", f"errors key {block_id!r} is not an input block_id"
                )
        return dict(errors)


class SlackSender(PayloadSender):
    """Sends slash commands, interactions and events to the app at ``app_url`` as Slack does."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        standin: SlackStandIn,
        team_id: str | None = None,
        api_app_id: str = "AHANDOFF",
        *,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(standin, team_id, api_app_id, timeout=timeout)
        self.app_url = app_url
        self._verifier = SignatureVerifier(signing_secret)
        # Never route loopback traffic through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def url_verification(self, challenge: str) -> Reply:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.send_raw(json.dumps(body).encode(), JSON)

    # -- transport ------------------------------------------------------------------------------

    def send_raw(
        self,
        body: bytes,
        content_type: str,
        *,
        signature: str | None = None,
        timestamp: str | None = None,
    ) -> Reply:
        """POST ``body`` signed like Slack (or with the given signature/timestamp, for tests)."""
        timestamp = timestamp if timestamp is not None else str(int(time.time()))
        if signature is None:
            signature = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
        request = urllib.request.Request(
            self.app_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
                "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Reply(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.read().decode(), dict(error.headers))

    def _deliver(self, kind: str, payload: dict[str, Any]) -> Reply:
        if kind == "slash_commands":
            return self.send_raw(urlencode(payload).encode(), FORM)
        if kind == "interactive":
            return self.send_raw(urlencode({"payload": json.dumps(payload)}).encode(), FORM)
        return self.send_raw(json.dumps(payload).encode(), JSON)


def _now_ts() -> str:
    return f"{time.time():.6f}"
