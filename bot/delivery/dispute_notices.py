"""The messages around a dispute, each an outbox row so it goes out once.

- `dispute`: the managers' group DM (one DM when there is one manager) with the SDR's case
  and Overturn… and Uphold;
- `dispute_result`: the SDR's DM with the verdict;
- `dispute_thread`: after an overturn, a note in the brief's thread naming the AE who
  takes the meeting (so they are notified);
- `dispute_dm_update`: the managers' DM shows the verdict instead of the buttons.

A stale button left by an update that has not landed yet only earns a polite refusal.
"""

from __future__ import annotations

from bot.delivery.brief_sync import handoff_of, sent_messages
from bot.delivery.followups import thread_note
from bot.delivery.pacing import Slack
from bot.delivery.plans import Nothing, Plan, Post, Update
from bot.services import Services
from bot.surfaces.dispute_messages import dispute_message, dispute_result, dispute_verdict
from bot.surfaces.render import user
from handoff.model import DisputeStatus, MessageKind
from storage.outbox import Job

RESOLVED = (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED)


def plan_dispute(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    managers = list(services.settings.managers)
    if handoff is None or handoff.dispute_status is None or not managers:
        return Nothing("no dispute for the managers")
    channel = slack.dm_channel(managers)
    link = slack.permalink(handoff.brief_channel, handoff.brief_ts)
    # Sent late (after a verdict): no buttons, just what was decided.
    done = dispute_verdict(handoff)
    return Post(channel, dispute_message(handoff, services.config, link=link, done=done))


def plan_dispute_result(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None or handoff.dispute_status not in RESOLVED:
        return Nothing("no verdict")
    return Post(handoff.sdr_id, dispute_result(handoff, services.config))


def plan_dispute_thread(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    if handoff is None or handoff.dispute_status != DisputeStatus.OVERTURNED:
        return Nothing("not overturned")
    return thread_note(
        handoff,
        f"⚖️ {user(handoff.dispute_resolved_by)} overturned the rejection after "
        f"{user(handoff.sdr_id)} disputed it: the meeting counts as accepted and is "
        f"{user(handoff.ae_id)}'s from now on.",
    )


def plan_dispute_dm_update(services: Services, slack: Slack, job: Job) -> Plan:
    handoff = handoff_of(services, job)
    targets = sent_messages(services, job, MessageKind.DISPUTE)
    if handoff is None or handoff.dispute_status not in RESOLVED or not targets:
        return Nothing("no managers' DM to close")
    link = slack.permalink(handoff.brief_channel, handoff.brief_ts)
    content = dispute_message(handoff, services.config, link=link, done=dispute_verdict(handoff))
    return Update(targets, content)
