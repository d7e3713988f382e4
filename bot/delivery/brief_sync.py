"""Bringing Slack in line with the database, safely repeatable.

The database was committed before any of this runs. Each function re-reads the
row, talks to Slack, and records what Slack now shows, so a retry or a sweep
can call it again at any time without duplicating a message.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.delivery.outbox import Draft, Outbox, Pacer, already_posted, metadata
from bot.services import Services
from bot.surfaces.brief import brief_message, decision_dm
from handoff.lifecycle import mark_posted
from handoff.model import MessageKind, Status
from storage import ledger

log = logging.getLogger(__name__)

_MAX_ROUNDS = 3


def sync_brief(services: Services, handoff_id: int, *, outbox: Outbox | None = None) -> bool:
    """Post the brief if it never was, or update it to the row's current state.

    A sweep passes its `outbox` so that hundreds of briefs are paced, not refused.
    """
    for _ in range(_MAX_ROUNDS):
        with services.unit() as repo:
            handoff = repo.get(handoff_id)
        if handoff is None or handoff.brief_synced_version >= handoff.brief_version:
            return True
        if handoff.brief_ts is None:
            ok = _post_brief(services, handoff_id, outbox)
        else:
            ok = _update_brief(services, handoff_id)
        if not ok:
            return False
    # Still behind after several rounds: something keeps changing it; a sweep finishes.
    return False


def _post_brief(services: Services, handoff_id: int, outbox: Outbox | None) -> bool:
    channel = services.settings.ae_channel
    if not channel:
        log.warning("handoff %s: HANDOFF_AE_CHANNEL is not set; brief not posted", handoff_id)
        return False
    now = services.now()
    with services.unit() as repo:
        claim = ledger.claim(
            repo.session,
            handoff_id=handoff_id,
            kind=MessageKind.BRIEF,
            level=0,
            recipient=channel,
            now=now,
        )
        handoff = repo.get(handoff_id)
    if claim is None or handoff is None:
        return True  # posted already, or another process is posting it right now
    message = brief_message(handoff, services.config)
    meta = metadata(handoff_id, MessageKind.BRIEF, 0)
    # Outside a sweep the client's own 429 handling is enough; the pacer adds no retries.
    outbox = outbox or Outbox(services.client, Pacer(retries=0))
    try:
        # A taken-over claim means a sender died mid-way: Slack may have the brief already.
        found = None
        if claim.attempts > 1:
            found = already_posted(outbox, Draft(channel, message), meta)
        if found is None:
            reply = outbox.pacer.call(
                lambda: outbox.client.chat_postMessage(
                    channel=channel,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata=meta,
                    **message,
                ),
                channel=channel,
            )
            ts, posted_in = str(reply["ts"]), str(reply["channel"])
        else:
            ts, posted_in = found, channel
    except SlackApiError as exc:
        _failed(services, claim.id, handoff_id, "post brief", exc)
        return False
    with services.unit() as repo:
        mark_posted(repo, handoff_id, channel=posted_in, ts=ts, now=services.now())
        repo.mark_brief_synced(handoff_id, handoff.brief_version)
        ledger.mark_sent(repo.session, claim.id, channel=posted_in, ts=ts, now=services.now())
    return True


def _update_brief(services: Services, handoff_id: int) -> bool:
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
    assert handoff is not None and handoff.brief_channel and handoff.brief_ts
    message = brief_message(handoff, services.config)
    try:
        services.client.chat_update(channel=handoff.brief_channel, ts=handoff.brief_ts, **message)
    except SlackApiError as exc:
        log.warning(
            "handoff %s: could not update the brief (%s); a sweep retries",
            handoff_id,
            exc.response.get("error"),
        )
        return False
    with services.unit() as repo:
        repo.mark_brief_synced(handoff_id, handoff.brief_version)
    return True


def notify_sdr(services: Services, handoff_id: int) -> bool:
    """DM the SDR the decision, once per handoff whatever retries happen."""
    now = services.now()
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
        if handoff is None or handoff.status not in (Status.ACCEPTED, Status.REJECTED):
            return True
        claim = ledger.claim(
            repo.session,
            handoff_id=handoff_id,
            kind=MessageKind.DECISION_DM,
            level=0,
            recipient=handoff.sdr_id,
            now=now,
        )
    if claim is None:
        return True
    # A rejection carries a Dispute button when there are managers to decide it.
    message = decision_dm(handoff, services.config, can_dispute=bool(services.settings.managers))
    try:
        reply = services.client.chat_postMessage(channel=handoff.sdr_id, **message)
    except SlackApiError as exc:
        _failed(services, claim.id, handoff_id, "DM the SDR", exc)
        return False
    with services.unit() as repo:
        ledger.mark_sent(
            repo.session,
            claim.id,
            channel=str(reply["channel"]),
            ts=str(reply["ts"]),
            now=services.now(),
        )
    return True


def deliver_pending(services: Services) -> int:
    """One sweep: post or update every brief Slack is behind on, resend unsent DMs."""
    done = 0
    with services.unit() as repo:
        behind = repo.unsynced()
        unsent = ledger.unsent(repo.session, now=services.now())
    for handoff_id in behind:
        done += sync_brief(services, handoff_id)
    for claim in unsent:
        if claim.kind == MessageKind.DECISION_DM:
            done += notify_sdr(services, claim.handoff_id)
    return done


def _failed(
    services: Services, claim_id: int, handoff_id: int, what: str, exc: SlackApiError
) -> None:
    error = str(exc.response.get("error") or exc.response.status_code)
    log.warning("handoff %s: could not %s (%s); a sweep retries", handoff_id, what, error)
    with services.unit() as repo:
        ledger.mark_failed(repo.session, claim_id, error=error, now=services.now())
