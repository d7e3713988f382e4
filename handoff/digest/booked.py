"""Meetings booked in a scheduling tool, in the digest: how many were booked in the period,
how many the SDRs qualified (sent as a handoff), how many are still unqualified, how many
were canceled, and the median time from booking to handoff; overall, per SDR and per source.

A booking belongs to the period it was received in (its `booked_at`), in the state it is in
when the digest is built, as the handoff cohorts are counted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

QUALIFIED, UNQUALIFIED, CANCELED = "qualified", "unqualified", "canceled"
NOBODY = ""  # a booking nobody in Slack matched


@dataclass(frozen=True)
class BookedRow:
    """One booking as storage reads it."""

    sdr_id: str  # NOBODY when unmatched
    source: str  # the UTM or tool source; the tool's name when it gave none
    state: str  # QUALIFIED, UNQUALIFIED or CANCELED
    seconds_to_handoff: int | None = None


@dataclass(frozen=True)
class BookedGroup:
    key: str
    booked: int = 0
    qualified: int = 0
    unqualified: int = 0
    canceled: int = 0
    median_seconds: float | None = None

    @property
    def still_on(self) -> int:
        """Booked and not canceled: what the SDRs were to qualify."""
        return self.booked - self.canceled


@dataclass(frozen=True)
class BookedMeetings:
    total: BookedGroup = BookedGroup("all")
    sdrs: tuple[BookedGroup, ...] = ()
    sources: tuple[BookedGroup, ...] = ()


def booked_meetings(rows: Iterable[BookedRow]) -> BookedMeetings:
    rows = list(rows)
    if not rows:
        return BookedMeetings()
    return BookedMeetings(
        total=_group("all", rows),
        sdrs=_groups(rows, lambda r: r.sdr_id),
        sources=_groups(rows, lambda r: r.source),
    )


def median(values: Sequence[int]) -> float | None:
    """The middle value; the mean of the two middle values of an even count."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def _group(key: str, rows: Sequence[BookedRow]) -> BookedGroup:
    states = [r.state for r in rows]
    seconds = [r.seconds_to_handoff for r in rows if r.seconds_to_handoff is not None]
    return BookedGroup(
        key=key,
        booked=len(rows),
        qualified=states.count(QUALIFIED),
        unqualified=states.count(UNQUALIFIED),
        canceled=states.count(CANCELED),
        median_seconds=median(seconds),
    )


def _groups(
    rows: Sequence[BookedRow], key_of: Callable[[BookedRow], str]
) -> tuple[BookedGroup, ...]:
    by_key: dict[str, list[BookedRow]] = {}
    for row in rows:
        by_key.setdefault(key_of(row), []).append(row)
    groups = [_group(key, members) for key, members in by_key.items()]
    # Most booked first; the unqualified count breaks ties (what needs chasing).
    return tuple(sorted(groups, key=lambda g: (-g.booked, -g.unqualified, g.key)))
