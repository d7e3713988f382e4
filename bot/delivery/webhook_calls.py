"""Sending one outgoing webhook delivery: the body fixed when the change was committed,
signed now, tried with the outbox's back-off for 24 hours, each try in the log."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.pacing import Slack
from bot.delivery.plans import Call, Nothing, OutsideError, Plan
from bot.outside.webhook_post import post
from bot.services import Services
from storage.outbox import Job

WINDOW = timedelta(hours=24)  # a delivery is tried this long after it was armed


def plan_webhook(services: Services, slack: Slack, job: Job) -> Plan:
    now = services.now()
    with services.uow(read_only=True) as uow:
        delivery = uow.webhooks.get(job.level)
    if delivery is None or delivery.delivered_at is not None:
        return Nothing("delivered already")
    hook = next((h for h in services.settings.webhooks if h.name == delivery.webhook), None)
    if hook is None:
        return Nothing(f"webhook {delivery.webhook!r} is no longer configured")
    if now - delivery.armed_at > WINDOW:
        with services.uow() as uow:
            uow.webhooks.give_up(delivery.id, now=now)
        return Nothing("tried for 24 hours")

    def run() -> None:
        answer = post(
            delivery.url,
            delivery.body,
            secret=hook.secret,
            event=delivery.event,
            delivery_id=delivery.idempotency_id,
            at=int(now.timestamp()),
        )
        with services.uow() as uow:
            uow.webhooks.tried(delivery.id, status=answer.status, error=answer.error, now=now)
        if answer.status is None or not 200 <= answer.status < 300:
            wait = timedelta(seconds=answer.retry_after or 0)
            raise OutsideError(f"webhook {hook.name}: {answer.error}", wait=wait)

    return Call(f"webhook {hook.name}: {delivery.event} #{delivery.id}", run)
