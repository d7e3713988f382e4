"""The outgoing webhooks' log: each delivery's body, fixed when armed, and its tries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import WebhookDeliveryRow


@dataclass(frozen=True)
class Delivery:
    id: int
    team_id: str
    handoff_id: int | None
    webhook: str
    url: str
    event: str
    idempotency_id: str
    body: str
    created_at: datetime
    armed_at: datetime
    attempts: int
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    gave_up_at: datetime | None

    @property
    def state(self) -> str:
        if self.delivered_at:
            return "delivered"
        return "gave up" if self.gave_up_at else "pending"


def _delivery(row: WebhookDeliveryRow) -> Delivery:
    return Delivery(
        row.id,
        row.team_id,
        row.handoff_id,
        row.webhook,
        row.url,
        row.event,
        row.idempotency_id,
        row.body,
        row.created_at,
        row.armed_at,
        row.attempts,
        row.last_status,
        row.last_error,
        row.delivered_at,
        row.gave_up_at,
    )


class WebhookLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        team_id: str,
        handoff_id: int,
        webhook: str,
        url: str,
        event: str,
        idempotency_id: str,
        body: str,
        now: datetime,
    ) -> int:
        row = WebhookDeliveryRow(
            team_id=team_id,
            handoff_id=handoff_id,
            webhook=webhook,
            url=url,
            event=event,
            idempotency_id=idempotency_id,
            body=body,
            created_at=now,
            armed_at=now,
            attempts=0,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def get(self, delivery_id: int) -> Delivery | None:
        row = self._session.get(WebhookDeliveryRow, delivery_id, populate_existing=True)
        return _delivery(row) if row else None

    def latest(self, limit: int) -> list[Delivery]:
        rows = self._session.scalars(
            select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id.desc()).limit(limit)
        )
        return [_delivery(r) for r in rows]

    def tried(
        self, delivery_id: int, *, status: int | None, error: str | None, now: datetime
    ) -> None:
        """Record one try: `status` is the receiver's answer (None: no answer)."""
        ok = status is not None and 200 <= status < 300
        values: dict[str, object] = {
            "attempts": WebhookDeliveryRow.attempts + 1,
            "last_status": status,
            "last_error": (error or "")[:200] or None,
            "last_tried_at": now,
        }
        if ok:
            values["delivered_at"] = now
        self._session.execute(
            update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id).values(values)
        )

    def give_up(self, delivery_id: int, *, now: datetime) -> None:
        self._session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery_id)
            .values(gave_up_at=now)
        )

    def rearm(self, delivery_id: int, *, now: datetime) -> Delivery | None:
        """A replay: the same body and id, sent again, with 24 hours of tries of its own."""
        self._session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery_id)
            .values(armed_at=now, delivered_at=None, gave_up_at=None)
        )
        return self.get(delivery_id)
