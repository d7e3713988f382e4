"""Booking tools' webhooks: signed deliveries stored in the inbox, answered, processed after.

`POST /webhooks/calendly`, `/webhooks/calcom`, `/webhooks/chilipiper/<token>`,
`/webhooks/hubspot` and `/webhooks/meeting-booked` (the generic body,
docs/meeting-booked.schema.json). Each passes the request guard (size, the tool's
signature header and timestamp before the body is read, UTF-8), then: a signature that
does not match is 401; a body that is not the tool's documented shape is 400 with a
one-line reason; an event type the bot does not act on is 200 and ignored. Anything else
is stored in the inbox in one transaction (a replay is stored once) and answered 200; the
intake pool processes it after (bot/jobs/booking_intake.py), and the sweep takes up what a
crash left. An endpoint whose secret is not set answers 404.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.delivery.pool import DeliveryPool
from bot.entrypoints import webhook_signatures as signatures
from bot.entrypoints.guard import HeaderCheck, Refusal, StartResponse, WsgiApp, guard, reply
from bot.jobs.booking_intake import process
from bot.observability import logs, telemetry
from bot.services import Services
from handoff.booking import Tool, parse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    tool: Tool
    path: str
    check: HeaderCheck
    valid: signatures.BodyCheck
    secret: str | None


class Intake:
    """The booking endpoints of one process, and the pool that processes what they store."""

    def __init__(self, services: Services, *, workers: int = 2) -> None:
        self.services = services
        self.pool = DeliveryPool(lambda ids: process(services, ids), workers=workers)
        settings = services.settings
        endpoints = [
            Endpoint(
                Tool.CALENDLY,
                "/webhooks/calendly",
                signatures.timestamped_header_check(signatures.CALENDLY_HEADER),
                signatures.timestamped_valid(signatures.CALENDLY_HEADER),
                settings.calendly_signing_key,
            ),
            Endpoint(
                Tool.CALCOM,
                "/webhooks/calcom",
                signatures.present_header_check(signatures.CALCOM_HEADER),
                signatures.calcom_valid,
                settings.calcom_webhook_secret,
            ),
            Endpoint(
                Tool.GENERIC,
                "/webhooks/meeting-booked",
                signatures.timestamped_header_check(signatures.GENERIC_HEADER),
                signatures.timestamped_valid(signatures.GENERIC_HEADER),
                settings.booking_webhook_secret,
            ),
            Endpoint(
                Tool.HUBSPOT,
                "/webhooks/hubspot",
                signatures.hubspot_header_check(),
                signatures.hubspot_valid(settings.public_url),
                settings.hubspot_client_secret,
            ),
        ]
        self.routes: dict[str, WsgiApp] = {
            e.path: guard(self._handler(e), check=e.check, refused=self._refused(e))
            for e in endpoints
            if e.secret
        }
        # Chili Piper's token is in the path: every path under it comes here, and a wrong
        # token is refused like a bad signature.
        self.chilipiper: WsgiApp | None = None
        if settings.chilipiper_webhook_token:
            chili = Endpoint(
                Tool.CHILIPIPER,
                signatures.CHILIPIPER_PATH,
                signatures.no_header_check,
                signatures.chilipiper_valid,
                settings.chilipiper_webhook_token,
            )
            self.chilipiper = guard(
                self._handler(chili), check=chili.check, refused=self._refused(chili)
            )

    def route(self, path: str) -> WsgiApp | None:
        """The endpoint serving `path`, if any."""
        if self.chilipiper is not None and path.startswith(signatures.CHILIPIPER_PATH):
            return self.chilipiper
        return self.routes.get(path)

    def close(self) -> None:
        self.pool.close()

    @staticmethod
    def _refused(endpoint: Endpoint) -> Callable[[Refusal], None]:
        return lambda _refusal: telemetry.webhook(endpoint.tool.value, "refused")

    def _handler(self, endpoint: Endpoint) -> WsgiApp:
        def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            logs.bind(tool=endpoint.tool.value)
            try:
                result, status, answer = self._take(endpoint, environ)
            except Exception:
                telemetry.webhook(endpoint.tool.value, "error")
                raise
            telemetry.webhook(endpoint.tool.value, result)
            return reply(start_response, status, answer)

        return handle

    def _take(self, endpoint: Endpoint, environ: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """(result, HTTP status, JSON answer) of one delivery; result is a metric label."""
        body = environ["wsgi.input"].read()
        assert endpoint.secret is not None
        if not endpoint.valid(environ, body, endpoint.secret):
            log.info("refused 401: %s webhook signature does not match", endpoint.tool)
            return "bad_signature", "401 Unauthorized", {"error": "bad signature"}
        try:
            event = parse(endpoint.tool, json.loads(body))
        except ValueError as exc:
            reason = "the body is not JSON" if isinstance(exc, json.JSONDecodeError) else exc
            log.info("refused 400: %s webhook: %s", endpoint.tool, reason)
            return "bad_request", "400 Bad Request", {"error": str(reason)}
        if event is None:
            return "ignored", "200 OK", {"ok": True, "ignored": "event type"}
        try:
            team = self.services.installed_team()
        except (SlackApiError, OSError) as exc:
            log.warning("%s webhook: auth.test failed (%s); the tool retries", endpoint.tool, exc)
            return "unavailable", "503 Service Unavailable", {"error": "try again"}
        with self.services.uow() as uow:
            stored = uow.inbox.keep(
                team_id=team,
                tool=endpoint.tool.value,
                external_id=event.delivery_id,
                body=body.decode("utf-8"),
                now=self.services.now(),
            )
        logs.bind(team=team)
        if stored is None:
            return "duplicate", "200 OK", {"ok": True}
        self.pool.submit([stored])
        return "stored", "200 OK", {"ok": True}
