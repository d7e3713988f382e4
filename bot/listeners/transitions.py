"""The one path after every transition: the change and everything it tells Slack (and the
CRM, and outgoing webhooks), in one commit, then handed to the delivery pool (never sent
on the listener's thread)."""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery.change_effects import write_change
from bot.delivery.crashpoints import crash_at
from bot.observability import logs
from bot.services import Services
from handoff.effects import Change, Effect
from handoff.lifecycle import Outcome
from storage.repository import SqlHandoffRepository

Move = Callable[[SqlHandoffRepository], Outcome]


def commit_transition(
    services: Services, handoff_id: int, move: Move, change: Change, *, actor: str
) -> Outcome:
    """Run `move`; when it changed the handoff, write every side effect it implies into the
    outbox in the same transaction. Raises UnknownHandoff as `move` does."""
    logs.bind(handoff_id=handoff_id)
    with services.uow() as uow:
        before = uow.handoffs.get(handoff_id) if change == Change.REASSIGNED else None
        outcome = move(uow.handoffs)
        if outcome.changed:
            write_change(
                uow,
                services,
                change,
                outcome.handoff,
                actor=actor,
                now=services.now(),
                previous_owner=before.ae_id if before else None,
                reassignments=uow.handoffs.count_events(handoff_id, "reassigned")
                if change == Change.REASSIGNED
                else 0,
            )
        written = list(uow.outbox.written)
    crash_at("after_commit")
    services.deliver_soon(written)
    return outcome


def commit_effects(services: Services, effects: list[Effect]) -> list[int]:
    """Write side effects that follow no transition (a nudge, a Home to refresh), then hand
    them to the delivery pool. The ids of the rows armed (empty: all were there already)."""
    with services.uow() as uow:
        written = uow.outbox.add(effects, now=services.now())
    services.deliver_soon(written)
    return written
