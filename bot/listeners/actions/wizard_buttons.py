"""Buttons inside the wizard: Back, Add a person, Remove. Each keeps what was typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Action
from bot.listeners.wizard_flow import step_view, update_open_view
from bot.payloads import metadata_id, user_id
from bot.services import Services
from bot.surfaces.wizard import person_view, typed_answers
from handoff.model import Field
from handoff.qualification import steps


def register(app: App, services: Services) -> None:
    @app.action(Action.BACK)
    def wizard_back(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _redraw(services, body, move=-1)

    @app.action(Action.REMOVE_PERSON)
    def remove_person(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        value = str((body.get("actions") or [{}])[0].get("value", ""))
        index = int(value) if value.isdigit() else -1
        _redraw(services, body, remove=index)

    @app.action(Action.ADD_PERSON)
    def add_person(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        kept = _keep_typed(services, body)
        if kept is not None:
            view = person_view(kept[0], services.config)
            services.client.views_push(trigger_id=body["trigger_id"], view=view)


def _keep_typed(
    services: Services, body: dict[str, Any], *, move: int = 0, remove: int = -1
) -> tuple[int, str, int, dict[str, Any]] | None:
    """Save the step's inputs (unvalidated) and apply the button; None if the draft is gone."""
    view = body.get("view") or {}
    draft_id = metadata_id(view, "draft")
    all_steps = steps(services.config)
    with services.uow() as uow:
        draft = uow.drafts.get(draft_id) if draft_id else None
        if draft is None or draft.user_id != user_id(body) or draft.submitted_at is not None:
            return None
        index = max(0, min(draft.step, len(all_steps) - 1))
        answers = {**draft.answers, **typed_answers(view, all_steps[index])}
        people = list(answers.get(Field.STAKEHOLDERS) or [])
        if 0 <= remove < len(people):
            del people[remove]
            answers[Field.STAKEHOLDERS.value] = people
        step = max(0, index + move)
        uow.drafts.save(draft.id, answers=answers, step=step, now=services.now())
        return draft.id, draft.mode, step, answers


def _redraw(services: Services, body: dict[str, Any], *, move: int = 0, remove: int = -1) -> None:
    kept = _keep_typed(services, body, move=move, remove=remove)
    if kept is None:
        return
    draft_id, mode, step, answers = kept
    _, view = step_view(services.config, draft_id, mode, step, answers, services.now())
    current = body.get("view") or {}
    update_open_view(services, str(current.get("id")), view, str(current.get("hash") or ""))
