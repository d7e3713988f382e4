"""Messages that follow a manager's or an AE's answer: thread notes, the SDR's DM, nudges.

Each is a ledger claim like the chases, so a double click or a retry sends it
once, and a failed send is retried by the next sweep through `resend`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from slack_sdk.errors import SlackApiError

from bot.delivery.outbox import Draft, Outbox, Sent, send_once, update_message
from bot.services import Services
from bot.surfaces.brief import outcome_line
from bot.surfaces.chase_messages import outcome_question
from bot.surfaces.notices import note
from bot.surfaces.render import escape_mrkdwn, slack_date, user
from handoff.chasing import ChaseKind
from handoff.model import OUTCOME_LABELS, Handoff, MeetingOutcome, MessageKind
from storage import ledger

log = logging.getLogger(__name__)

RESENT = (
    MessageKind.OUTCOME_THREAD,
    MessageKind.OUTCOME_SDR,
    MessageKind.REASSIGN_THREAD,
    MessageKind.NUDGE,
)


def outcome_round(handoff: Handoff) -> int:
    """The round an outcome was logged in (a reschedule has already moved to the next)."""
    if handoff.outcome == MeetingOutcome.RESCHEDULED:
        return handoff.chase_round - 1
    return handoff.chase_round


def after_outcome(services: Services, outbox: Outbox, handoff_id: int) -> list[Sent]:
    """Tell the brief's thread and the SDR, and take the buttons off the outcome DMs."""
    sent = [
        s
        for kind in (MessageKind.OUTCOME_THREAD, MessageKind.OUTCOME_SDR)
        if (s := _send(services, outbox, handoff_id, kind, None)) is not None
    ]
    _close_outcome_dms(services, outbox, handoff_id)
    return sent


def after_reassign(services: Services, outbox: Outbox, handoff_id: int, level: int) -> Sent | None:
    return _send(services, outbox, handoff_id, MessageKind.REASSIGN_THREAD, level)


def nudge(services: Services, outbox: Outbox, handoff_id: int, actor: str) -> Sent | None:
    return _send(services, outbox, handoff_id, MessageKind.NUDGE, 1, actor=actor)


def resend(services: Services, outbox: Outbox, claim: ledger.Claim) -> Sent | None:
    """Retry a follow-up whose send failed (chases are re-derived by the sweep instead)."""
    if claim.kind not in RESENT:
        return None
    return _send(services, outbox, claim.handoff_id, claim.kind, claim.level, actor=claim.recipient)


def _send(
    services: Services,
    outbox: Outbox,
    handoff_id: int,
    kind: str,
    level: int | None,
    *,
    actor: str = "",
) -> Sent | None:
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
    if handoff is None:
        return None
    draft: Callable[[], Draft | None]
    if kind in (MessageKind.OUTCOME_THREAD, MessageKind.OUTCOME_SDR):
        if handoff.outcome is None:
            return None
        level = outcome_round(handoff) if level is None else level
        recipient = (
            handoff.sdr_id if kind == MessageKind.OUTCOME_SDR else (handoff.brief_channel or "")
        )
        draft = (_sdr_outcome if kind == MessageKind.OUTCOME_SDR else _thread_outcome)(
            outbox, handoff
        )
    elif kind == MessageKind.REASSIGN_THREAD:
        recipient = handoff.reassigned_by or ""
        draft = _thread(
            handoff,
            f"🔀 {user(handoff.reassigned_by)} assigned this meeting to "
            f"{user(handoff.ae_id)}. It is theirs from now on.",
        )
    else:
        recipient = actor
        draft = _thread(
            handoff,
            f"📣 {user(actor)} asks: can someone take this meeting? <!here>",
            broadcast=True,
        )
    return send_once(
        services,
        outbox,
        handoff_id=handoff_id,
        kind=kind,
        level=level or 0,
        recipient=recipient[:32],
        draft=draft,
        now=services.now(),
    )


def _thread(handoff: Handoff, text: str, *, broadcast: bool = False) -> Callable[[], Draft | None]:
    def draft() -> Draft | None:
        if not (handoff.brief_channel and handoff.brief_ts):
            return None
        footer = f"Handoff #{handoff.id}"
        return Draft(
            handoff.brief_channel,
            note(text, footer),
            thread_ts=handoff.brief_ts,
            broadcast=broadcast,
        )

    return draft


def _thread_outcome(outbox: Outbox, handoff: Handoff) -> Callable[[], Draft | None]:
    return _thread(handoff, outcome_line(handoff))


def _sdr_outcome(outbox: Outbox, handoff: Handoff) -> Callable[[], Draft | None]:
    def draft() -> Draft:
        company = escape_mrkdwn(handoff.qualification.company[:150])
        assert handoff.outcome is not None  # drafted only once an outcome is logged
        label = OUTCOME_LABELS[MeetingOutcome(handoff.outcome)]
        text = f"📋 Your meeting with *{company}*: *{label}*"
        if handoff.outcome == MeetingOutcome.RESCHEDULED and handoff.rescheduled_to:
            text += f" to {slack_date(handoff.rescheduled_to)}"
        text += f" (logged by {user(handoff.outcome_by)})."
        channel = outbox.dm_channel([handoff.sdr_id])
        return Draft(channel, note(text, f"Handoff #{handoff.id}"))

    return draft


def _close_outcome_dms(services: Services, outbox: Outbox, handoff_id: int) -> None:
    """Replace the buttons of every outcome DM already sent with what was logged."""
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
        entries = ledger.entries(repo.session, [handoff_id], [ChaseKind.OUTCOME.value])
    if handoff is None:
        return
    done = outcome_line(handoff)
    for entry in entries:
        if not (entry.channel and entry.ts):
            continue
        content = outcome_question(handoff, services.config, nth=1, done=done)
        try:
            outbox.call(
                partial(update_message, channel=entry.channel, ts=entry.ts, content=content)
            )
        except SlackApiError as exc:
            # Cosmetic: a stale button only earns a polite "already logged".
            log.warning("could not update outcome DM %s (%s)", entry.ts, exc.response.get("error"))
