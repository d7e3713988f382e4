"""The App Home tab, one per person, rebuilt from the database each time.

- Everyone: a New handoff button; the meetings an SDR booked in a scheduling tool and has
  not qualified yet (docs/booking.md); an SDR's unfinished drafts and their handoffs
  (status, score, outcome, dispute).
- An AE: the briefs waiting for an AE, with Accept and Reject right there, and their accepted
  meetings whose outcome is not logged yet (with the outcome buttons once the meeting time
  has passed).
- A manager: `manager_blocks`, the seam for the managers' section.

Who is an AE: the people in HANDOFF_AES when it is set. Without it, anyone who has ever
accepted, rejected or been given a meeting, and anyone who has never booked one (a new AE
sees the queue on their first visit); an SDR who only books does not.

Home is an outbox sync row per person ("home:T:U"): armed on `app_home_opened` and by every
change that concerns them (handoff/effects.py), rendered from the database when it is sent,
so two changes close together end in one publish of the latest state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery.pacing import Slack
from bot.delivery.plans import Plan, Publish
from bot.roles import RolesUnknown
from bot.services import Services
from bot.surfaces.digest_message import (
    duration,
    period_text,
    ranked_lines,
    rate,
    stale_lines,
    suggestion_lines,
)
from bot.surfaces.home import (
    DUE_SHOWN,
    HANDOFFS_SHOWN,
    PENDING_SHOWN,
    UPCOMING_SHOWN,
    AeHome,
    home_view,
)
from bot.surfaces.render import render
from handoff.config import Config
from handoff.digest import Period, latest_due, rank, suggest
from storage.outbox import Job
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# A booked meeting stays on Home to be qualified until this long after its time.
BOOKING_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Viewer:
    team_id: str
    user_id: str
    now: datetime
    is_ae: bool
    is_manager: bool


def manager_blocks(services: Services, uow: UnitOfWork, viewer: Viewer) -> list[dict[str, Any]]:
    """The managers' section of Home: this week so far and the oldest undecided briefs.

    Called only for people in HANDOFF_MANAGERS, inside the same read transaction as the rest
    of Home; the figures are the digest's own SQL aggregates, for the week in progress.
    """
    config = services.config
    zone = config.policy.zone
    since = latest_due(viewer.now, zone, config.digest)
    head = uow.metrics.headline(config, viewer.now, period=Period(since, viewer.now))
    f, t = head.funnel, head.timing
    timing = (
        f"median {duration(t.median_seconds)} · p90 {duration(t.p90_seconds)} ({t.decided} decided)"
        if t.decided
        else "no decisions yet"
    )
    last_week = head.previous.acceptance_rate
    m = {
        "period": "Since " + period_text(head.period, zone).split(" – ")[0],
        "next_digest": _next_digest(since, zone),
        "fields": [
            f"*Submitted*\n{f.submitted}",
            f"*Accepted*\n{f.accepted}",
            f"*Rejected*\n{f.rejected}",
            f"*Still pending*\n{f.pending}",
            f"*Acceptance rate*\n{rate(f.acceptance_rate)} (last week {rate(last_week)})",
            f"*Time to decision*\n{timing}",
        ],
        "stale": stale_lines(head, {}, zone),
        # The same for an hour: at a million handoffs the window takes a second or two to read.
        "calibration": services.calibration_cache.get(
            viewer.now, lambda: calibration_text(uow, config, viewer.now)
        ),
    }
    return list(render("home/manager.json.j2", m=m))


HOME_FINDINGS = 3


def calibration_text(uow: UnitOfWork, config: Config, now: datetime) -> str:
    """What predicts acceptance over the calibration window ending now, and what the data
    suggests: the digest's ranking, shortened for Home (mrkdwn-safe)."""
    figures = uow.metrics.calibration(config, Period(now, now))
    ranking = rank(figures, config.digest.calibration_min_sample)
    weeks = ranking.weeks
    lines = [f"*What predicts acceptance* (handoffs of the last {weeks} weeks)"]
    lines.append(ranked_lines(ranking, config, top=HOME_FINDINGS))
    advice = suggest(ranking, config.rubric)
    if advice:
        lines += ["*What the data suggests* (nothing changes until you edit the rubric)"]
        lines.append(suggestion_lines(advice, HOME_FINDINGS))
    return "\n".join(lines)


def _next_digest(since: datetime, zone: ZoneInfo) -> str:
    due = (since + timedelta(days=7)).astimezone(zone)
    return f"{due:%a %b} {due.day}, {due:%H:%M}"


def plan_home(services: Services, slack: Slack, job: Job) -> Plan:
    """The outbox's Home row: the person's Home as the database has it now."""
    return Publish(job.recipient, build_home(services, job.team_id, job.recipient))


def publish_home(services: Services, team_id: str, user_id: str, *, notice: str = "") -> None:
    """Publish Home now with `notice` (mrkdwn-safe) at the top: the answer to a click Home
    could answer no other way. Never raises: a failure only leaves an older Home on screen."""
    try:
        view = build_home(services, team_id, user_id, notice=notice)
        services.client.views_publish(user_id=user_id, view=view)
    except Exception:
        log.warning("could not publish Home for %s", user_id, exc_info=True)


def build_home(
    services: Services, team_id: str, user_id: str, *, notice: str = ""
) -> dict[str, Any]:
    now = services.now()
    settings = services.settings
    is_ae = _is_ae(services, user_id)  # before the transaction: it may ask Slack
    with services.uow(read_only=True) as uow:
        recent = uow.handoffs.recent_for_user(team_id, user_id, limit=HANDOFFS_SHOWN)
        many = len(recent) >= HANDOFFS_SHOWN
        total = uow.handoffs.count_for_user(team_id, user_id) if many else None
        unfinished = [
            {
                "id": d.id,
                "mode": d.mode,
                "step": d.step,
                "answers": dict(d.answers),
                "updated_at": d.updated_at,
            }
            for d in uow.drafts.open_for(team_id, user_id, now)
        ]
        viewer = Viewer(
            team_id=team_id,
            user_id=user_id,
            now=now,
            is_ae=is_ae,
            is_manager=services.roles.is_manager(user_id),
        )
        ae = _ae_home(uow, viewer, settings.ae_channel) if viewer.is_ae else None
        booked = [
            {
                "id": b.id,
                "company": b.company,
                "contact_name": b.contact_name,
                "meeting_at": b.meeting_at,
            }
            for b in uow.bookings.not_qualified(team_id, user_id, since=now - BOOKING_GRACE)
        ]
        manager = manager_blocks(services, uow, viewer) if viewer.is_manager else []
    return home_view(
        recent,
        unfinished,
        services.config,
        handoffs_total=total,
        ae=ae,
        viewer=user_id,
        notice=notice,
        manager=manager,
        # An AE who never booked a meeting is not told they have not booked one.
        show_handoffs=not viewer.is_ae,
        bookings=booked,
    )


def _is_ae(services: Services, user_id: str) -> bool:
    """Home lists briefs to decide only to AEs; when Slack cannot say, to nobody."""
    try:
        return services.roles.is_ae(user_id)
    except RolesUnknown:
        log.warning("Home for %s shows no briefs: the AE list could not be read", user_id)
        return False


def _ae_home(uow: UnitOfWork, viewer: Viewer, channel: str | None) -> AeHome:
    repo = uow.handoffs
    pending, pending_total = repo.waiting_for_ae(viewer.team_id, viewer.user_id, PENDING_SHOWN)
    due, due_total = repo.owned_open_meetings(
        viewer.team_id, viewer.user_id, DUE_SHOWN, now=viewer.now, due=True
    )
    upcoming, upcoming_total = repo.owned_open_meetings(
        viewer.team_id, viewer.user_id, UPCOMING_SHOWN, now=viewer.now, due=False
    )
    return AeHome(
        pending=pending,
        pending_total=pending_total,
        due=due,
        due_total=due_total,
        upcoming=upcoming,
        upcoming_total=upcoming_total,
        channel=channel,
    )
