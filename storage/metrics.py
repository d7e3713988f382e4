"""The digest's figures, each an SQL aggregate (COUNT, SUM(CASE …), window functions).

Nothing here loads handoff rows into Python: a query returns one row per group (SDR,
source, criterion, period…) or, for the stale list, the few briefs it names. The same
SQL runs on SQLite (3.25+, for window functions) and PostgreSQL. Definitions are in
handoff/digest/; `headline()` is what a Home tab calls, `collect()` the whole digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from handoff.config import Config
from handoff.digest import (
    FINAL_OUTCOMES,
    AeDecisions,
    Band,
    Calibration,
    CriterionCalibration,
    Disputes,
    Figures,
    Funnel,
    Group,
    Headline,
    Outcomes,
    Period,
    Rates,
    SdrRejections,
    SlaBreaches,
    StaleBrief,
    Timing,
    band_edges,
    scheduled_period,
    trend,
    week_ending,
)
from handoff.digest.booked import (
    CANCELED as CANCELED_BOOKING,
)
from handoff.digest.booked import (
    NOBODY,
    QUALIFIED,
    UNQUALIFIED,
    BookedRow,
    booked_meetings,
)
from storage.models import BookingRow, CriterionResultRow, HandoffRow, OutboxRow

H = HandoffRow.__table__.c
C = CriterionResultRow.__table__.c
R = OutboxRow.__table__.c

OPEN = ("submitted", "pending")
DECIDED = ("accepted", "rejected")
REMINDER = "chase_reminder"  # handoff.chasing.ChaseKind.REMINDER


def _n(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many rows of the group satisfy `condition` (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in(period: Period, column: Any = None) -> ColumnElement[bool]:
    column = H.submitted_at if column is None else column
    return and_(column >= period.start, column < period.end)


ACCEPTED = H.status == "accepted"
REJECTED = H.status == "rejected"
WITHDRAWN = H.status == "withdrawn"
CANCELED = H.status == "canceled"
PENDING = H.status.in_(OPEN)


def _funnel_columns() -> list[ColumnElement[Any]]:
    return [
        func.count().label("submitted"),
        _n(ACCEPTED).label("accepted"),
        _n(REJECTED).label("rejected"),
        _n(WITHDRAWN).label("withdrawn"),
        _n(PENDING).label("pending"),
        _n(CANCELED).label("canceled"),
    ]


def _funnel(row: Any) -> Funnel:
    return Funnel(*(int(v or 0) for v in row))


# -- the headline -----------------------------------------------------------------------------


def funnels(session: Session, periods: Sequence[Period]) -> list[Funnel]:
    """The cohort funnel of each of these adjacent periods (oldest first), in one query."""
    bucket = case(*((H.submitted_at >= p.start, i) for i, p in reversed(list(enumerate(periods)))))
    span = Period(periods[0].start, periods[-1].end)
    rows = session.execute(
        select(bucket.label("bucket"), *_funnel_columns()).where(_in(span)).group_by(bucket)
    ).all()
    found = {int(r[0]): _funnel(r[1:]) for r in rows}
    return [found.get(i, Funnel()) for i in range(len(periods))]


def _percentiles(
    session: Session, where: ColumnElement[bool], group: Any = None
) -> dict[Any, Timing]:
    """Median (mean of the middle two) and nearest-rank p90 of seconds_to_decision, per group."""
    seconds = H.seconds_to_decision
    keys = [] if group is None else [group.label("g")]
    partition = None if group is None else group
    ranked = (
        select(
            *keys,
            seconds.label("s"),
            func.row_number().over(partition_by=partition, order_by=seconds).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(where, H.status.in_(DECIDED), seconds.is_not(None))
        .subquery()
    )
    rn, n, s = ranked.c.rn, ranked.c.n, ranked.c.s
    middle = or_(rn == (n + 1) // 2, rn == (n + 2) // 2)
    query = select(
        *([ranked.c.g] if group is not None else []),
        func.max(n),
        func.avg(case((middle, s))),
        func.max(case((rn == (9 * n + 9) // 10, s))),
    )
    if group is not None:
        query = query.group_by(ranked.c.g)
    out: dict[Any, Timing] = {}
    for row in session.execute(query):
        key = row[0] if group is not None else None
        count, median, p90 = row[-3:]
        if count:
            out[key] = Timing(int(count), float(median), int(p90))
    return out


def timing(session: Session, period: Period) -> Timing:
    return _percentiles(session, _in(period)).get(None, Timing())


def stale(session: Session, end: datetime, limit: int) -> tuple[list[StaleBrief], int]:
    """The oldest undecided briefs submitted before `end`, and how many there are in all."""
    where = and_(PENDING, H.submitted_at < end)
    total = session.execute(select(func.count()).where(where)).scalar() or 0
    # The oldest `limit` of each open status, then of both: each part walks the
    # (status, submitted_at) index from its start instead of all of history by date.
    columns = (H.id, H.company, H.sdr_id, H.submitted_at, H.brief_channel, H.brief_ts)
    parts = [
        select(*columns)
        .where(H.status == status, H.submitted_at < end)
        .order_by(H.submitted_at, H.id)
        .limit(limit)
        .subquery()
        for status in OPEN
    ]
    both = union_all(*(select(*p.c) for p in parts)).subquery()
    rows = session.execute(select(*both.c).order_by(both.c.submitted_at, both.c.id).limit(limit))
    # Read through the ORM type so SQLite's naive times come back as aware UTC.
    briefs = [
        StaleBrief(r.id, r.company, r.sdr_id, _utc(r.submitted_at), r.brief_channel, r.brief_ts)
        for r in rows
    ]
    return briefs, int(total)


def first_submitted(session: Session) -> datetime | None:
    """When the first handoff was submitted: no digest reports on a week before it."""
    first = session.scalar(select(func.min(H.submitted_at)))
    return None if first is None else _utc(first)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def headline(
    session: Session, config: Config, now: datetime, *, period: Period | None = None
) -> Headline:
    """This period's headline numbers and the stale list (the period that ended at the last
    scheduled digest time, unless `period` is given)."""
    zone = config.policy.zone
    if period is None:
        period = scheduled_period(now, zone, config.digest)
    previous = week_ending(period.start, zone)
    before, current = funnels(session, [previous, period])
    briefs, total = stale(session, period.end, config.digest.stale)
    return Headline(period, current, before, timing(session, period), tuple(briefs), total)


# -- breakdowns -------------------------------------------------------------------------------


def breakdown(session: Session, period: Period, column: Any) -> list[Group]:
    """The cohort by one column (source, industry, region), biggest first."""
    rows = session.execute(
        select(column, func.count(), _n(ACCEPTED), _n(REJECTED))
        .where(_in(period))
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [Group(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]


def sdrs(session: Session, period: Period) -> list[Group]:
    medians = _percentiles(session, _in(period), H.sdr_id)
    return [
        Group(g.key, g.submitted, g.accepted, g.rejected, _median(medians.get(g.key)))
        for g in breakdown(session, period, H.sdr_id)
    ]


def _median(t: Timing | None) -> float | None:
    return None if t is None else t.median_seconds


def reasons(session: Session, period: Period) -> list[tuple[str, int]]:
    """Rejection reasons of the cohort's rejected handoffs (an overturned one is accepted)."""
    reason = func.coalesce(H.rejection_reason, "other")
    rows = session.execute(
        select(reason, func.count())
        .where(_in(period), REJECTED)
        .group_by(reason)
        .order_by(func.count().desc(), reason)
    )
    return [(str(r[0]), int(r[1])) for r in rows]


def sla_breaches(session: Session, period: Period) -> SlaBreaches:
    """Cohort briefs for which the response-SLA reminder went out (the ledger's proxy for
    "no decision within the SLA, in business time")."""
    reminded = exists().where(R.handoff_id == H.id, R.kind == REMINDER, R.sent_at.is_not(None))
    row = session.execute(select(func.count(), _n(PENDING)).where(_in(period), reminded)).one()
    return SlaBreaches(int(row[0] or 0), int(row[1] or 0))


def outcomes(session: Session, period: Period) -> Outcomes:
    """Accepted meetings whose original meeting time fell in the period, by outcome."""
    o = H.outcome
    row = session.execute(
        select(
            func.count(),
            _n(o == "held_opportunity"),
            _n(o == "held_no_fit"),
            _n(o == "no_show"),
            _n(o == "rescheduled"),
            _n(o.is_(None)),
        ).where(_in(period, H.meeting_at), ACCEPTED)
    ).one()
    return Outcomes(*(int(v or 0) for v in row))


def disputes(session: Session, period: Period) -> Disputes:
    resolved = _in(period, H.dispute_resolved_at)
    open_at_end = and_(
        H.disputed_at < period.end,
        or_(H.dispute_status == "open", H.dispute_resolved_at >= period.end),
    )
    row = session.execute(
        select(
            _n(_in(period, H.disputed_at)),
            _n(and_(H.dispute_status == "upheld", resolved)),
            _n(and_(H.dispute_status == "overturned", resolved)),
            _n(open_at_end),
        ).where(H.dispute_status.is_not(None))  # the partial index ix_handoffs_dispute
    ).one()
    return Disputes(*(int(v or 0) for v in row))


# -- accountability flags ---------------------------------------------------------------------


def ae_decisions(session: Session, period: Period) -> list[AeDecisions]:
    """Each AE's own accept/reject decisions made in the period. A manager's assignment of an
    undecided brief (reassigned at the decision instant) is not the AE's decision; an
    overturned rejection was the AE's rejection."""
    assigned = and_(H.reassigned_at.is_not(None), H.reassigned_at == H.decided_at)
    overturned = func.coalesce(H.dispute_status, "") == "overturned"
    rows = session.execute(
        select(H.decided_by, func.count(), _n(and_(ACCEPTED, ~overturned)))
        .where(
            _in(period, H.decided_at),
            H.status.in_(DECIDED),
            H.decided_by.is_not(None),
            ~assigned,
        )
        .group_by(H.decided_by)
        .order_by(H.decided_by)
    )
    return [AeDecisions(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def sdr_rejections(session: Session, period: Period) -> list[SdrRejections]:
    """Per SDR: rejections decided in the period and the most frequent reason."""
    reason = func.coalesce(H.rejection_reason, "other")
    per_reason = (
        select(H.sdr_id.label("sdr"), reason.label("reason"), func.count().label("n"))
        .where(_in(period, H.decided_at), REJECTED)
        .group_by(H.sdr_id, reason)
        .subquery()
    )
    ranked = select(
        per_reason.c.sdr,
        per_reason.c.reason,
        per_reason.c.n,
        func.sum(per_reason.c.n).over(partition_by=per_reason.c.sdr).label("total"),
        func.row_number()
        .over(partition_by=per_reason.c.sdr, order_by=(per_reason.c.n.desc(), per_reason.c.reason))
        .label("rank"),
    ).subquery()
    rows = session.execute(
        select(ranked.c.sdr, ranked.c.total, ranked.c.reason, ranked.c.n)
        .where(ranked.c.rank == 1)
        .order_by(ranked.c.sdr)
    )
    return [SdrRejections(str(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]


# -- calibration ------------------------------------------------------------------------------


def _rates_columns() -> list[ColumnElement[Any]]:
    final = H.outcome.in_(FINAL_OUTCOMES)
    return [
        func.count(),
        _n(H.status.in_(DECIDED)),
        _n(ACCEPTED),
        _n(and_(ACCEPTED, final)),
        _n(and_(ACCEPTED, H.outcome == "held_opportunity")),
    ]


FLAG_NAMES = ("decided", "accepted", "with_outcome", "opportunity")


def _flag_columns() -> list[ColumnElement[Any]]:
    """1 or 0 per handoff: decided, accepted, accepted with a final outcome, opportunity."""
    final = H.outcome.in_(FINAL_OUTCOMES)
    conditions = (
        H.status.in_(DECIDED),
        ACCEPTED,
        and_(ACCEPTED, final),
        and_(ACCEPTED, H.outcome == "held_opportunity"),
    )
    return [
        case((c, literal(1)), else_=literal(0)).label(name)
        for c, name in zip(conditions, FLAG_NAMES, strict=True)
    ]


def _rates(values: Sequence[Any]) -> Rates:
    return Rates(*(int(v or 0) for v in values))


def calibration(
    session: Session, config: Config, period: Period, *, weeks: int | None = None
) -> Calibration:
    """Calibration over the `weeks` (default `[digest] calibration_weeks`) ending with
    `period`."""
    policy = config.digest
    weeks = weeks or policy.calibration_weeks
    window = week_ending(period.end, config.policy.zone, weeks)
    # Each handoff's flags once (a few CASEs per handoff), then summed per criterion row.
    flags = select(H.id.label("id"), *_flag_columns()).where(_in(window)).subquery()
    rows = session.execute(
        select(
            C.criterion,
            C.met,
            func.count(),
            *(func.coalesce(func.sum(flags.c[name]), 0) for name in FLAG_NAMES),
        )
        .select_from(flags.join(CriterionResultRow.__table__, C.handoff_id == flags.c.id))
        .group_by(C.criterion, C.met)
    )
    by_criterion: dict[str, dict[bool, Rates]] = {}
    for r in rows:
        by_criterion.setdefault(str(r[0]), {})[bool(r[1])] = _rates(r[2:])
    order = list(config.rubric.weights)
    criteria = tuple(
        CriterionCalibration(key, split.get(True, Rates()), split.get(False, Rates()))
        for key, split in sorted(
            by_criterion.items(),
            key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]),
        )
    )

    edges = band_edges(policy)
    band = case(*((H.score <= high, i) for i, (_, high) in enumerate(edges)))
    found = {
        int(r[0]): _rates(r[1:])
        for r in session.execute(
            select(band, *_rates_columns()).where(_in(window), H.score.is_not(None)).group_by(band)
        )
    }
    bands = tuple(Band(low, high, found.get(i, Rates())) for i, (low, high) in enumerate(edges))

    versions = tuple(
        (str(r[0]), _rates(r[1:]))
        for r in session.execute(
            select(H.rubric_version, *_rates_columns())
            .where(_in(window))
            .group_by(H.rubric_version)
            .order_by(func.min(H.submitted_at), H.rubric_version)
        )
    )
    cleared = {
        bool(r[0]): _rates(r[1:])
        for r in session.execute(
            select(H.clears_bar, *_rates_columns())
            .where(_in(window), H.clears_bar.is_not(None))
            .group_by(H.clears_bar)
        )
    }
    return Calibration(
        window,
        weeks,
        criteria,
        bands,
        versions,
        cleared=cleared.get(True, Rates()),
        not_cleared=cleared.get(False, Rates()),
    )


# -- everything -------------------------------------------------------------------------------


def booked(session: Session, period: Period) -> list[BookedRow]:
    """The bookings received in `period`, each with its state and, once qualified, how long
    that took (one row each: a team's week holds hundreds, not millions)."""
    rows = session.execute(
        select(
            BookingRow.sdr_id,
            BookingRow.source,
            BookingRow.tool,
            BookingRow.status,
            BookingRow.handoff_id,
            HandoffRow.seconds_from_booking,
        )
        .select_from(BookingRow)
        .outerjoin(HandoffRow, HandoffRow.id == BookingRow.handoff_id)
        .where(BookingRow.booked_at >= period.start, BookingRow.booked_at < period.end)
    )
    out = []
    for sdr, source, tool, status, handoff_id, seconds in rows:
        if status == "canceled":
            state = CANCELED_BOOKING
        elif handoff_id is not None:
            state = QUALIFIED
        else:
            state = UNQUALIFIED
        out.append(BookedRow(sdr or NOBODY, source or tool, state, seconds))
    return out


def collect(session: Session, config: Config, period: Period) -> Figures:
    """Every aggregate of the digest for `period`, read in one transaction (no flags: the
    domain's `assemble` applies them)."""
    zone = config.policy.zone
    periods = trend(period.end, zone)
    counts = funnels(session, periods)
    briefs, total = stale(session, period.end, config.digest.stale)
    head = Headline(period, counts[-1], counts[-2], timing(session, period), tuple(briefs), total)
    return Figures(
        headline=head,
        sdrs=tuple(sdrs(session, period)),
        sources=tuple(breakdown(session, period, H.source)),
        industries=tuple(breakdown(session, period, H.industry)),
        regions=tuple(breakdown(session, period, H.region)),
        reasons=tuple(reasons(session, period)),
        sla=sla_breaches(session, period),
        outcomes=outcomes(session, period),
        calibration=calibration(session, config, period),
        disputes=disputes(session, period),
        ae_decisions=tuple(ae_decisions(session, period)),
        sdr_rejections=tuple(sdr_rejections(session, period)),
        trend=tuple(zip(periods, counts, strict=True)),
        booked=booked_meetings(booked(session, period)),
    )


class Metrics:
    """The digest's aggregates inside one (read-only) unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def headline(self, config: Config, now: datetime, *, period: Period | None = None) -> Headline:
        return headline(self._session, config, now, period=period)

    def collect(self, config: Config, period: Period) -> Figures:
        return collect(self._session, config, period)

    def first_submitted(self) -> datetime | None:
        return first_submitted(self._session)

    def calibration(
        self, config: Config, period: Period, *, weeks: int | None = None
    ) -> Calibration:
        return calibration(self._session, config, period, weeks=weeks)
