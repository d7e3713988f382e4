"""The database as tests set it up and inspect it: a repository on its own transaction,
and the outbox's side effects armed and sent the way the app does it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bot.delivery.pacing import Slack
from bot.delivery.sender import Outcome, deliver
from bot.services import Services
from handoff.effects import Effect
from handoff.model import MessageKind
from storage.db import make_session_factory, session_scope
from storage.repository import SqlHandoffRepository


@contextmanager
def unit(services: Services) -> Iterator[SqlHandoffRepository]:
    """A repository (and its `session`) on one transaction of its own."""
    with session_scope(make_session_factory(services.engine)) as session:
        yield SqlHandoffRepository(session)


def send(services: Services, effects: Sequence[Effect], slack: Slack | None = None) -> Outcome:
    """Arm `effects` in the outbox and send them now, as a request's delivery does."""
    with services.uow() as uow:
        written = uow.outbox.add(effects, now=services.now())
    return deliver(services, written, slack or Slack.immediate(services.client))


def post_brief(services: Services, team_id: str, handoff_id: int) -> Outcome:
    """Post (or bring up to date) one brief, as after a submission."""
    return send(services, [Effect(MessageKind.BRIEF, team_id, handoff_id)])
