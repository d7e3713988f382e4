"""Opening and moving through the wizard; the draft row is written before Slack is called."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.surfaces.wizard import field_label, review_model, wizard_view
from handoff.config import Config
from handoff.model import Field, Qualification
from handoff.qualification import LONG_TEXT_MAX, SHORT_TEXT_MAX, steps, validate
from handoff.scoring import score

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
) -> None:
    """Create a draft holding the prefill and open the modal within the trigger's 3 seconds."""
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
    _open(services, trigger_id, draft_id, mode, 0, prefill)


def resume(services: Services, *, trigger_id: str, draft_id: int, user_id: str) -> bool:
    """Reopen an unfinished draft where it was left; False if it is gone or not theirs."""
    with services.uow(read_only=True) as uow:
        draft = uow.drafts.get(draft_id)
        if draft is None or draft.user_id != user_id or draft.submitted_at is not None:
            return False
        mode, step, answers = draft.mode, draft.step, dict(draft.answers)
    _open(services, trigger_id, draft_id, mode, step, answers)
    return True


def _open(
    services: Services, trigger_id: str, draft_id: int, mode: str, step: int, answers: dict
) -> None:
    shown, view = step_view(services.config, draft_id, mode, step, answers, services.now())
    reply = services.client.views_open(trigger_id=trigger_id, view=view)
    with services.uow() as uow:
        uow.drafts.set_view(draft_id, str(reply["view"]["id"]))
        if shown != step:
            uow.drafts.save(draft_id, answers=answers, step=shown, now=services.now())


def step_view(
    config: Config,
    draft_id: int,
    mode: str,
    step: int,
    answers: dict[str, Any],
    now: datetime,
    banner: str = "",
) -> tuple[int, dict[str, Any]]:
    """The view of `step`; the review step sends the SDR back to the first step to fix."""
    all_steps = steps(config)
    step = max(0, min(step, len(all_steps) - 1))
    review = None
    if step == len(all_steps) - 1:
        result = validate(answers, config, now)
        if isinstance(result, Qualification):
            review = review_model(config, result, score(result, config))
        else:
            step = next(
                (i for i, s in enumerate(all_steps) if set(result.errors) & set(s.fields)), 0
            )
            banner = "Fix this before sending: " + " ".join(
                f"{field_label(config, f)}: {m}"
                for f, m in result.errors.items()
                if f in all_steps[step].fields
            )
    view = wizard_view(
        config,
        draft_id=draft_id,
        mode=mode,
        step_index=step,
        answers=answers,
        review=review,
        banner=banner,
    )
    return step, view


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
