"""What a person is told when a click cannot be honoured: one line per rule of the domain.

Placeholders: {by} is "you" or a mention of whoever decided before, {By} the same at the
start of a sentence, {booker} a mention of the SDR who booked it, {status} the handoff's
status. Every value is mrkdwn-safe (a mention, or text escaped by `user`).
"""

from __future__ import annotations

from bot.surfaces.render import user
from handoff.lifecycle import Refusal, RefusalKind

GONE = "That handoff no longer exists."
ROLES_UNKNOWN = (
    "Slack did not say just now who the AEs are, so nothing changed. Try again in a minute."
)


def not_an_ae(person: str) -> str:
    """The modal error when a manager picks someone who is not an AE to take a meeting."""
    return f"{user(person)} is not an AE (the AE channel's members, or HANDOFF_AES). Pick an AE."


TEXTS: dict[RefusalKind, str] = {
    RefusalKind.ALREADY_DECIDED: "This handoff was already *{status}* by {by}. Nothing changed.",
    RefusalKind.WITHDRAWN: "{By} withdrew this handoff; nothing to decide.",
    RefusalKind.CANCELED: (
        "This meeting was canceled in the scheduling tool it was booked in; nothing to do."
    ),
    RefusalKind.OWN_HANDOFF: "You booked this meeting, so an AE has to accept or reject it.",
    RefusalKind.NOT_AE: (
        "Only an AE (a member of the AE channel, or someone HANDOFF_AES names) can accept or "
        "reject a brief. Nothing changed."
    ),
    RefusalKind.NOT_BOOKER: "Only {booker}, who booked this meeting, can edit or withdraw it.",
    RefusalKind.NOT_ACCEPTED: ("This handoff is *{status}*; there is no meeting outcome to log."),
    RefusalKind.NOT_OWNER: "This meeting is {by}'s; only they or a manager can log its outcome.",
    RefusalKind.OUTCOME_LOGGED: "The outcome was already logged by {by}. Nothing changed.",
    RefusalKind.NOT_MANAGER: (
        "Only the managers named in HANDOFF_MANAGERS can reassign a handoff or nudge the channel."
    ),
    RefusalKind.BOOKER_AS_AE: "The SDR who booked the meeting cannot take it as the AE.",
    RefusalKind.DISPUTE_NOT_BOOKER: (
        "Only {booker}, who booked this meeting, can dispute its rejection."
    ),
    RefusalKind.ALREADY_DISPUTED: (
        "This rejection was already disputed; a rejection can be disputed only once."
    ),
    RefusalKind.NOT_REJECTED: "This handoff is *{status}*, not rejected: nothing to dispute.",
    RefusalKind.NO_MANAGERS: "Disputes go to the managers, and none are set up (HANDOFF_MANAGERS).",
    RefusalKind.TOO_LATE: "This rejection is too old to dispute now; talk to your manager.",
    RefusalKind.DISPUTE_NOT_MANAGER: (
        "Only the managers named in HANDOFF_MANAGERS can decide a dispute."
    ),
    RefusalKind.DISPUTE_RESOLVED: "This dispute was already decided by {by}. Nothing changed.",
    RefusalKind.NOT_DISPUTED: "There is no open dispute on this handoff. Nothing changed.",
    RefusalKind.CONFLICT: "You booked or rejected this meeting, so another manager has to decide.",
}


def refusal_text(refusal: Refusal, viewer: str) -> str:
    """The polite mrkdwn answer to `viewer`, whose click `refusal` turned down."""
    mine = refusal.by == viewer
    return TEXTS[refusal.kind].format(
        by="you" if mine else user(refusal.by),
        By="You" if mine else user(refusal.by),
        booker=user(refusal.by),
        status=refusal.status.value,
    )
