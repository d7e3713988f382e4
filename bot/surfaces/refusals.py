"""What a person is told when a click cannot be honoured: too late, or not theirs to make."""

from __future__ import annotations

from bot.surfaces.render import user
from handoff.lifecycle import Refusal


def refusal_text(refusal: Refusal, viewer: str) -> str:
    """The polite mrkdwn answer to a click that came too late or from the wrong person."""
    who = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "withdrawn":
        return f"{'You' if who == 'you' else who} withdrew this handoff; nothing to decide."
    if refusal.kind == "not_booker":
        return f"Only {user(refusal.by)}, who booked this meeting, can edit or withdraw it."
    if refusal.kind == "own_handoff":
        return "You booked this meeting, so an AE has to accept or reject it."
    return f"This handoff was already *{refusal.status.value}* by {who}. Nothing changed."


def chase_refusal_text(refusal: Refusal, viewer: str) -> str:
    """The answer to an outcome or reassign click that is not this person's to make."""
    by = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "not_manager":
        return "Only the managers named in HANDOFF_MANAGERS can reassign a handoff."
    if refusal.kind == "not_allowed":
        return f"This meeting is {by}'s; only they or a manager can log its outcome."
    if refusal.kind == "outcome_logged":
        return f"The outcome was already logged by {by}. Nothing changed."
    if refusal.kind == "not_accepted":
        return f"This handoff is *{refusal.status.value}*; there is no meeting outcome to log."
    if refusal.kind == "own_handoff":
        return "The SDR who booked the meeting cannot take it as the AE."
    return refusal_text(refusal, viewer)


def dispute_refusal_text(refusal: Refusal, viewer: str) -> str:
    """The answer to a Dispute, Uphold or Overturn click that cannot be honoured."""
    by = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "not_booker":
        return f"Only {user(refusal.by)}, who booked this meeting, can dispute its rejection."
    if refusal.kind == "already_disputed":
        return "This rejection was already disputed; a rejection can be disputed only once."
    if refusal.kind == "not_rejected":
        return f"This handoff is *{refusal.status.value}*, not rejected: nothing to dispute."
    if refusal.kind == "no_managers":
        return "Disputes go to the managers, and none are set up (HANDOFF_MANAGERS)."
    if refusal.kind == "too_late":
        return "This rejection is too old to dispute now; talk to your manager."
    if refusal.kind == "not_manager":
        return "Only the managers named in HANDOFF_MANAGERS can decide a dispute."
    if refusal.kind == "dispute_resolved":
        return f"This dispute was already decided by {by}. Nothing changed."
    if refusal.kind == "not_disputed":
        return "There is no open dispute on this handoff. Nothing changed."
    if refusal.kind == "conflict":
        return "You booked or rejected this meeting, so another manager has to decide."
    if refusal.kind == "own_handoff":
        return "The SDR who booked the meeting cannot take it as the AE."
    return refusal_text(refusal, viewer)
