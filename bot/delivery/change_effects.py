"""Everything a committed change tells the world, written in its transaction: Slack's
messages and the CRM's sync (handoff.effects.after), and one delivery per outgoing
webhook subscribed to the change's event, its body fixed now."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.services import Services
from handoff.effects import Change, Effect, after
from handoff.model import Handoff, MessageKind
from handoff.webhook_events import event_body, event_name
from storage.uow import UnitOfWork


def write_change(
    uow: UnitOfWork,
    services: Services,
    change: Change,
    handoff: Handoff,
    *,
    actor: str,
    now: datetime,
    previous_owner: str | None = None,
    reassignments: int = 0,
    meeting_changes: int = 0,
) -> None:
    effects = after(
        change,
        handoff,
        actor=actor,
        previous_owner=previous_owner,
        reassignments=reassignments,
        meeting_changes=meeting_changes,
        crm=services.crm is not None,
    )
    uow.outbox.add(effects + webhook_deliveries(uow, services, change, handoff, now), now=now)


def webhook_deliveries(
    uow: UnitOfWork, services: Services, change: Change, handoff: Handoff, now: datetime
) -> list[Effect]:
    event = event_name(change)
    hooks = [h for h in services.settings.webhooks if event in h.events]
    if event is None or not hooks:
        return []
    effects = []
    for hook in hooks:
        idempotency_id = str(uuid.uuid4())
        body = event_body(event, handoff, services.config, delivery_id=idempotency_id, at=now)
        delivery = uow.webhooks.add(
            team_id=handoff.team_id,
            handoff_id=handoff.id,
            webhook=hook.name,
            url=hook.url,
            event=event,
            idempotency_id=idempotency_id,
            body=body,
            now=now,
        )
        effects.append(Effect(MessageKind.WEBHOOK, handoff.team_id, handoff.id, level=delivery))
    return effects
