"""The messages around a dispute, each claimed in the reminders ledger so it goes out once.

- `dispute`: the managers' group DM (one DM when there is one manager)
  with the SDR's case and Overturn… and Uphold;
- `dispute_result`: the SDR's DM with the verdict;
- `dispute_thread`: after an overturn, a note in the brief's thread naming
  the AE who takes the meeting (so they are notified).

Each waits for the database commit that made it true; a failed send releases its claim and
the next sweep sends it through `resend`. Two cosmetic updates follow: the SDR's rejection DM
loses its Dispute button once disputed (and shows the verdict later), the managers' DM loses
its buttons once decided. A failed update only leaves a button whose click is refused politely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from slack_sdk.errors import SlackApiError

from bot.delivery.outbox import Draft, Outbox, Sent, permalink, send_once, update_message
from bot.services import Services
from bot.surfaces.brief import decision_dm
from bot.surfaces.dispute_messages import dispute_message, dispute_result, dispute_verdict
from bot.surfaces.notices import note
from bot.surfaces.render import user
from handoff.model import DisputeStatus, Handoff, MessageKind
from storage import ledger

log = logging.getLogger(__name__)

KINDS = (MessageKind.DISPUTE, MessageKind.DISPUTE_RESULT, MessageKind.DISPUTE_THREAD)
RESOLVED = (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED)


def after_dispute(services: Services, outbox: Outbox, handoff_id: int) -> list[Sent]:
    """The SDR disputed: ask the managers, and take the Dispute button off the SDR's DM."""
    sent = _send(services, outbox, handoff_id, MessageKind.DISPUTE)
    _update_decision_dm(services, outbox, handoff_id)
    return [sent] if sent else []


def after_resolution(services: Services, outbox: Outbox, handoff_id: int) -> list[Sent]:
    """A manager decided: tell the SDR (and the brief's thread after an overturn), and
    replace the buttons of the managers' DM with the verdict."""
    sent = [
        s
        for kind in (MessageKind.DISPUTE_RESULT, MessageKind.DISPUTE_THREAD)
        if (s := _send(services, outbox, handoff_id, kind)) is not None
    ]
    _close_managers_dm(services, outbox, handoff_id)
    _update_decision_dm(services, outbox, handoff_id)
    return sent


def resend(services: Services, outbox: Outbox, claim: ledger.Claim) -> Sent | None:
    """Retry a dispute message whose send failed; None for any other kind."""
    if claim.kind not in KINDS:
        return None
    return _send(services, outbox, claim.handoff_id, claim.kind)


def _send(services: Services, outbox: Outbox, handoff_id: int, kind: str) -> Sent | None:
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
    if handoff is None:
        return None
    config = services.config
    managers = list(services.settings.managers)
    draft: Callable[[], Draft | None]
    if kind == MessageKind.DISPUTE:
        if handoff.dispute_status is None or not managers:
            return None
        recipient = ",".join(managers)

        def draft() -> Draft:
            channel = outbox.dm_channel(managers)
            link = permalink(outbox, handoff.brief_channel, handoff.brief_ts)
            # Sent late (a retry after a verdict): no buttons, just what was decided.
            content = dispute_message(handoff, config, link=link, done=dispute_verdict(handoff))
            return Draft(channel, content)

    elif kind == MessageKind.DISPUTE_RESULT:
        if handoff.dispute_status not in RESOLVED:
            return None
        recipient = handoff.sdr_id

        def draft() -> Draft:
            return Draft(outbox.dm_channel([handoff.sdr_id]), dispute_result(handoff, config))

    else:
        if handoff.dispute_status != DisputeStatus.OVERTURNED:
            return None
        recipient = handoff.dispute_resolved_by or ""
        draft = _thread_note(handoff)
    return send_once(
        services,
        outbox,
        handoff_id=handoff_id,
        kind=kind,
        level=0,  # a rejection is disputed once, so each message exists once
        recipient=recipient[:32],
        draft=draft,
        now=services.now(),
    )


def _thread_note(handoff: Handoff) -> Callable[[], Draft | None]:
    def draft() -> Draft | None:
        if not (handoff.brief_channel and handoff.brief_ts):
            return None
        text = (
            f"⚖️ {user(handoff.dispute_resolved_by)} overturned the rejection after "
            f"{user(handoff.sdr_id)} disputed it: the meeting counts as accepted and is "
            f"{user(handoff.ae_id)}'s from now on."
        )
        content = note(text, f"Handoff #{handoff.id}")
        return Draft(handoff.brief_channel, content, thread_ts=handoff.brief_ts)

    return draft


def _update_decision_dm(services: Services, outbox: Outbox, handoff_id: int) -> None:
    """Re-render the SDR's decision DM from the row: no Dispute button once disputed."""
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
        entries = ledger.entries(repo.session, [handoff_id], [MessageKind.DECISION_DM])
    if handoff is None:
        return
    content = decision_dm(handoff, services.config, can_dispute=bool(services.settings.managers))
    _update(outbox, entries, content)


def _close_managers_dm(services: Services, outbox: Outbox, handoff_id: int) -> None:
    with services.unit() as repo:
        handoff = repo.get(handoff_id)
        entries = ledger.entries(repo.session, [handoff_id], [MessageKind.DISPUTE])
    if handoff is None or handoff.dispute_status not in RESOLVED:
        return
    link = permalink(outbox, handoff.brief_channel, handoff.brief_ts) if entries else ""
    content = dispute_message(handoff, services.config, link=link, done=dispute_verdict(handoff))
    _update(outbox, entries, content)


def _update(outbox: Outbox, entries: list[ledger.Entry], content: dict) -> None:
    for entry in entries:
        if not (entry.channel and entry.ts):
            continue
        try:
            outbox.call(
                partial(update_message, channel=entry.channel, ts=entry.ts, content=content)
            )
        except SlackApiError as exc:
            log.warning("could not update message %s (%s)", entry.ts, exc.response.get("error"))
