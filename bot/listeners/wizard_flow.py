"""Opening and moving through the wizard; the draft row is written before Slack is called."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.payloads import WizardState
from bot.services import Services
from bot.surfaces.wizard import field_label, review_model, wizard_view
from handoff.config import Config
from handoff.model import Field, Qualification
from handoff.qualification import LONG_TEXT_MAX, SHORT_TEXT_MAX, steps, validate
from handoff.scoring import score
from storage.drafts import Draft
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def open_form(
    services: Services,
    *,
    trigger_id: str,
    team_id: str,
    user_id: str,
    initial: dict[str, Any],
    mode: str = "new",
    handoff_id: int | None = None,
    booking_id: int | None = None,
) -> None:
    """Create a draft holding the prefill and open the modal within the trigger's 3 seconds.
    `booking_id`: the booked meeting it qualifies (the booking keeps the draft's id)."""
    prefill = _clipped(initial)
    with services.uow() as uow:
        draft_id = uow.drafts.create(
            team_id=team_id,
            user_id=user_id,
            answers=prefill,
            now=services.now(),
            mode=mode,
            handoff_id=handoff_id,
        )
        if booking_id is not None:
            uow.bookings.set_draft(booking_id, draft_id)
        draft = uow.drafts.get(draft_id)
    assert draft is not None
    if not _open(services, trigger_id, draft):
        with services.uow() as uow:  # nobody will see this one: keep it off their Home
            uow.drafts.discard(draft.id, user_id)


def resume(services: Services, *, trigger_id: str, draft_id: int, user_id: str) -> bool:
    """Reopen an unfinished draft where it was left; False if it is gone or not theirs."""
    with services.uow(read_only=True) as uow:
        draft = uow.drafts.get(draft_id)
        if draft is None or draft.user_id != user_id or draft.submitted_at is not None:
            return False
    _open(services, trigger_id, draft)
    return True


def _open(services: Services, trigger_id: str, draft: Draft) -> bool:
    """Open the modal on the draft's step; False when the trigger was used already (a
    second copy of the same command or click opened it) or the draft moved on."""
    now = services.now()
    with services.uow() as uow:
        view = show_step(uow, services.config, draft, draft.step, draft.answers, now)
    if view is None:
        return False  # moved on meanwhile (another tab): the modal there shows it
    try:
        reply = services.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("exchanged_trigger_id", "expired_trigger_id"):
            raise
        log.info("trigger %s already used or expired: no second modal", trigger_id)
        return False
    with services.uow() as uow:
        uow.drafts.set_view(draft.id, str(reply["view"]["id"]))
    return True


def resolve_step(
    config: Config, step: int, answers: dict[str, Any], now: datetime
) -> tuple[int, dict[str, Any] | None, str]:
    """The step to show for `step`: the review, or the first step to fix when what was
    typed no longer passes (with the banner that says what); and the review's model."""
    all_steps = steps(config)
    step = max(0, min(step, len(all_steps) - 1))
    if step != len(all_steps) - 1:
        return step, None, ""
    result = validate(answers, config, now)
    if isinstance(result, Qualification):
        return step, review_model(config, result, score(result, config)), ""
    step = next((i for i, s in enumerate(all_steps) if set(result.errors) & set(s.fields)), 0)
    banner = "Fix this before sending: " + " ".join(
        f"{field_label(config, f)}: {m}"
        for f, m in result.errors.items()
        if f in all_steps[step].fields
    )
    return step, None, banner


def show_step(
    uow: UnitOfWork,
    config: Config,
    draft: Draft,
    step: int,
    answers: dict[str, Any],
    now: datetime,
    *,
    seen: WizardState | None = None,
) -> dict[str, Any] | None:
    """Move the draft to `step` (or the step to fix) from the state the modal showed (`seen`;
    by default the draft's own) and return the view to show; None when the draft had moved
    on already (a second copy of the same submission or click).

    The step and rev go in the view's private_metadata, so the next submission is read
    against the step it shows, never against whatever the draft says meanwhile."""
    shown, review, banner = resolve_step(config, step, answers, now)
    expected = (seen.step, seen.rev) if seen else (draft.step, draft.rev)
    if shown == draft.step and answers == draft.answers and expected == (draft.step, draft.rev):
        rev: int | None = draft.rev  # nothing moves: the same view again, same rev
    else:
        rev = uow.drafts.advance(draft.id, seen=expected, answers=answers, step=shown, now=now)
    if rev is None:
        return None
    return wizard_view(
        config,
        draft_id=draft.id,
        mode=draft.mode,
        step_index=shown,
        answers=answers,
        review=review,
        banner=banner,
        rev=rev,
    )


def current_view(uow: UnitOfWork, config: Config, draft: Draft, now: datetime) -> dict[str, Any]:
    """The view of the step the draft is on, for a copy that came too late to move it."""
    view = show_step(uow, config, draft, draft.step, draft.answers, now)
    assert view is not None  # from the draft's own state, under its lock: it cannot be stale
    return view


def update_open_view(services: Services, view_id: str, view: dict[str, Any], hash_: str) -> None:
    """Redraw a modal after a button in it; a stale hash means the user already moved on."""
    try:
        services.client.views_update(view_id=view_id, hash=hash_ or None, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("hash_conflict", "not_found"):
            raise
        log.info("view %s changed or closed meanwhile: %s", view_id, exc.response.get("error"))


def _clipped(initial: dict[str, Any]) -> dict[str, Any]:
    prefill: dict[str, Any] = {}
    for field, value in initial.items():
        if isinstance(value, str):
            limit = SHORT_TEXT_MAX if field == Field.COMPANY else LONG_TEXT_MAX
            value = value.strip()[:limit]
        if value not in ("", None, []):
            prefill[str(field)] = value
    return prefill
