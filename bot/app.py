"""The Bolt app: built from injected services, listeners registered, one error handler."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk.webhook import WebhookClient

from bot import listeners
from bot.delivery.pacing import Slack
from bot.delivery.pool import DeliveryPool
from bot.delivery.sender import deliver
from bot.observability import telemetry
from bot.observability.logs import ContextExecutor
from bot.services import Services
from bot.surfaces.notices import notice

log = logging.getLogger(__name__)

LISTENER_THREADS = 16

SORRY = (
    "Something went wrong on our side and has been logged. Nothing you entered was lost; try again."
)


def build_app(
    services: Services, *, verify_token: bool = True, listener_threads: int = LISTENER_THREADS
) -> App:
    """`verify_token=False` skips the auth.test call at construction (tests, demo)."""
    app = App(
        # A request is acked only once a listener thread picks it up: never fewer threads
        # than the server answers requests with (Bolt's default is 5).
        # …and each listener logs with the fields of its request (bot/observability/logs.py).
        listener_executor=ContextExecutor(listener_threads, thread_name_prefix="listener"),
        client=services.client,
        signing_secret=services.settings.signing_secret,
        token_verification_enabled=verify_token,
        process_before_response=False,
        raise_error_for_unhandled_request=True,
        ignoring_self_events_enabled=True,
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any], request: Any) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return BoltResponse(status=404, body='{"error":"unhandled request"}')
        request_id = _request_id(body)
        log.exception("request %s failed", request_id, exc_info=error)
        _tell_user(body)
        return None

    if services.pool is None:
        slack = Slack.immediate(services.client)

        def send(row_ids: Sequence[int]) -> None:
            telemetry.delivered(deliver(services, row_ids, slack), via="request")

        services.pool = DeliveryPool(send)
    listeners.register(app, services)
    return app


def _request_id(body: dict[str, Any]) -> str:
    return str(
        body.get("event_id")
        or body.get("trigger_id")
        or (body.get("view") or {}).get("id")
        or body.get("action_ts")
        or "-"
    )


def _tell_user(body: dict[str, Any]) -> None:
    """Say so in Slack when the request came with a way to answer the person."""
    url = body.get("response_url") or next(
        (u.get("response_url") for u in body.get("response_urls") or []), None
    )
    if not url:
        return
    try:
        WebhookClient(url, timeout=5).send(**notice(SORRY), response_type="ephemeral")
    except (OSError, ValueError):  # ValueError: a response_url that is not a URL
        log.warning("could not tell the user about the failure", exc_info=True)
