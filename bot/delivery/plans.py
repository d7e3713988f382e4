"""What a planner asks the sender to do for one outbox row, rendered from the database.

A planner reads the row's handoff as it is now, so a late send always shows the latest
state. It may ask Slack for what the message needs (a DM's channel, a permalink).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from handoff.effects import Effect
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Post:
    """chat.postMessage once. `channel` is a conversation id, or a user id for their DM
    with the bot. `record` runs in the transaction that marks the row sent."""

    channel: str
    content: dict[str, Any]
    thread_ts: str | None = None
    broadcast: bool = False
    record: Callable[[UnitOfWork, str, str], None] | None = None  # (uow, channel, ts)
    follow: tuple[Effect, ...] = ()  # side effects that posting it calls for


@dataclass(frozen=True)
class Update:
    """chat.update of messages already sent (safe to repeat)."""

    targets: list[tuple[str, str]]  # (channel, ts)
    content: dict[str, Any]
    record: Callable[[UnitOfWork], None] | None = None


@dataclass(frozen=True)
class Publish:
    """views.publish of one person's Home (safe to repeat)."""

    user_id: str
    view: dict[str, Any]


@dataclass(frozen=True)
class Nothing:
    """Nothing to send any more (the handoff is gone, or moved on): close the row."""

    reason: str = ""


@dataclass(frozen=True)
class Call:
    """A call to a system outside Slack (the CRM, a webhook): `run` makes it, and must be
    safe to repeat. It raises OutsideError when the system says not now, or needs a person."""

    what: str
    run: Callable[[], None]


class OutsideError(Exception):
    """Not done: try again no sooner than `wait`; `tell` is what people must be told."""

    def __init__(
        self, why: str, *, wait: timedelta = timedelta(0), tell: tuple[Effect, ...] = ()
    ) -> None:
        super().__init__(why[:200])
        self.wait, self.tell = wait, tell


Plan = Post | Update | Publish | Call | Nothing


SOON = timedelta(0)  # a Later this soon goes back to the delivery pool's queue at once


@dataclass
class Later(Exception):
    """Not yet (the brief a thread note replies to is not posted): try again after `after`."""

    why: str
    after: timedelta = field(default=timedelta(minutes=1))
