"""The CRM brought in line with a handoff, and the managers told of what only they can fix.

One sync row per handoff, re-armed by every change the CRM shows (accepted, rejected, an
outcome, a new owner, a canceled meeting): its send reads the handoff as it is now and
writes whatever the CRM lacks. Each id the CRM gives is kept at once, in its own small
transaction, so a try that fails half-way leaves nothing to create twice.
"""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.delivery.brief_sync import handoff_of
from bot.delivery.pacing import Slack
from bot.delivery.plans import Call, Nothing, OutsideError, Plan, Post
from bot.services import Services
from bot.surfaces.notices import notice
from bot.surfaces.render import escape_mrkdwn
from handoff.crm import FIXES, CrmBusy, CrmRefused, Problem, Record, writeback
from handoff.effects import Effect
from handoff.model import MessageKind
from storage.outbox import Job

# After an error a person must fix, the row waits this long between tries: it goes through
# once the token, scope or stage is right, and costs one call an hour until then.
REFUSED_WAIT = timedelta(hours=1)


def plan_crm(services: Services, slack: Slack, job: Job) -> Plan:
    crm = services.crm
    if crm is None:
        return Nothing("no CRM is set up")
    handoff = handoff_of(services, job)
    if handoff is None:
        return Nothing("the handoff is gone")
    owner = ae_email(slack, handoff.ae_id) if handoff.ae_id else ""
    want = writeback(handoff, services.config, services.config.crm, owner_email=owner)
    if want is None:
        return Nothing("nothing for the CRM")
    with services.uow(read_only=True) as uow:
        known = uow.crm.known(handoff.id, crm.name)
    team, hid = handoff.team_id, handoff.id

    def remember(record: Record, external_id: str) -> None:
        with services.uow() as uow:
            uow.crm.remember(team, hid, crm.name, record, external_id, now=services.now())

    def run() -> None:
        try:
            crm.sync(want, known, remember, recheck=job.attempts > 1)
        except CrmBusy as exc:
            raise OutsideError(str(exc), wait=exc.wait) from None
        except CrmRefused as exc:
            tell: tuple[Effect, ...] = ()
            if services.settings.managers:
                tell = (Effect(MessageKind.CRM_PROBLEM, team, hid, level=exc.problem.value),)
            raise OutsideError(str(exc), wait=REFUSED_WAIT, tell=tell) from None

    return Call(f"{crm.name}: handoff #{hid}", run)


def ae_email(slack: Slack, user_id: str) -> str:
    """The AE's email as Slack has it (users:read.email), "" when Slack does not say."""
    try:
        reply = slack.call(lambda c: c.users_info(user=user_id))
    except SlackApiError as exc:
        if exc.response.status_code != 200:
            raise  # Slack is failing: the row waits, rather than write no owner
        return ""
    return str(((reply.get("user") or {}).get("profile") or {}).get("email") or "")


def plan_crm_problem(services: Services, slack: Slack, job: Job) -> Plan:
    """The managers' DM about a CRM error only a person can fix: what, and the fix."""
    managers = list(services.settings.managers)
    if not managers:
        return Nothing("no managers to tell")
    what, fix = FIXES[Problem(job.level)]
    text = (
        f":warning: *Handoffs are not reaching the CRM.* {what} while writing handoff "
        f"#{job.handoff_id}.\n*Fix:* {escape_mrkdwn(fix)}.\nNothing is lost: every handoff "
        "is written once it is fixed (tried again every hour). This is said once."
    )
    return Post(slack.dm_channel(managers), notice(text))
