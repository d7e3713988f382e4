"""The brief and the SDR's decision DM, planned from the row as it is when they are sent.

The brief is one sync row per handoff: its first send posts it (and opens the handoff for
decisions), every later change updates it in place. Whatever order changes arrive in,
the last send renders the latest version, so Slack never ends on a stale brief.
"""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.pacing import Slack
from bot.delivery.plans import SOON, Later, Nothing, Plan, Post, Update
from bot.services import Services
from bot.surfaces.brief import brief_message, decision_dm
from handoff.effects import homes
from handoff.lifecycle import mark_posted
from handoff.model import Handoff, MessageKind, Status
from storage.outbox import Job
from storage.uow import UnitOfWork


def handoff_of(services: Services, job: Job) -> Handoff | None:
    if job.handoff_id is None:
        return None
    if job.handoff is not None:  # read with the rest of its chunk, a moment ago
        return job.handoff
    with services.uow(read_only=True) as uow:
        return uow.handoffs.get(job.handoff_id)


def plan_brief(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None:
        return Nothing("the handoff is gone")
    content = brief_message(handoff, services.config)
    version, hid = handoff.brief_version, handoff.id
    if handoff.brief_channel and handoff.brief_ts:

        def synced(uow: UnitOfWork) -> None:
            uow.handoffs.mark_brief_synced(hid, version)

        return Update([(handoff.brief_channel, handoff.brief_ts)], content, record=synced)
    channel = services.settings.ae_channel
    if not channel:
        raise Later("HANDOFF_AE_CHANNEL is not set", timedelta(minutes=30))

    def posted(uow: UnitOfWork, channel: str, ts: str) -> None:
        mark_posted(uow.handoffs, hid, channel=channel, ts=ts, now=services.now())
        uow.handoffs.mark_brief_synced(hid, version)

    # Posting opens the handoff for decisions: the booker's Home says so.
    follow = tuple(homes(handoff.team_id, [handoff.sdr_id]))
    return Post(channel, content, record=posted, follow=follow)


def plan_decision_dm(services: Services, slack: Slack, job: Job) -> Plan:
    """The SDR's DM about the decision; a rejection carries a Dispute button when there
    are managers to decide it."""
    handoff = handoff_of(services, job)
    if handoff is None or handoff.status not in (Status.ACCEPTED, Status.REJECTED):
        return Nothing("no decision to tell")
    content = decision_dm(handoff, services.config, can_dispute=bool(services.settings.managers))
    return Post(handoff.sdr_id, content)


def plan_decision_dm_update(services: Services, slack: Slack, job: Job) -> Plan:
    """The decision DM re-rendered: no Dispute button once disputed, the verdict later."""
    handoff = handoff_of(services, job)
    targets = sent_messages(services, job, MessageKind.DECISION_DM)
    if handoff is None or not targets:
        return Nothing("no decision DM to update")
    content = decision_dm(handoff, services.config, can_dispute=bool(services.settings.managers))
    return Update(targets, content)


def sent_messages(services: Services, job: Job, kind: MessageKind) -> list[tuple[str, str]]:
    """(channel, ts) of every message of `kind` already sent about the job's handoff.
    Raises Later when one is armed but not recorded yet (being sent right now): an update
    planned then must wait for it, not be dropped as having nothing to update."""
    if job.handoff_id is None:
        return []
    with services.uow(read_only=True) as uow:
        entries = uow.outbox.entries([job.handoff_id], [kind.value])
        sending = uow.outbox.being_sent(job.handoff_id, kind.value, now=services.now())
    if sending:
        raise Later(f"the {kind.value} it updates is being sent", SOON)
    return [(e.channel, e.ts) for e in entries if e.channel and e.ts]
