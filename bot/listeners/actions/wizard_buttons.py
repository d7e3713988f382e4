"""Buttons inside the wizard: Back, Add a person, Remove. Each keeps what was typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.ids import Action
from bot.listeners.wizard_flow import show_step, update_open_view
from bot.payloads import WizardState, user_id, wizard_state
from bot.services import Services
from bot.surfaces.wizard import person_view, typed_answers
from handoff.model import Field
from handoff.qualification import Step, steps
from storage.drafts import Draft
from storage.uow import UnitOfWork


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
        seen = wizard_state(body.get("view") or {})
        with services.uow() as uow:
            draft = _current(services, uow, body, seen)
            if draft is None or seen is None:
                return
            # What was typed is kept (unvalidated); the modal still shows the same step.
            answers = {**draft.answers, **typed_answers(body["view"], _step(services, seen))}
            uow.drafts.save(draft.id, answers=answers, step=seen.step, now=services.now())
        view = person_view(seen, services.config)
        try:
            services.client.views_push(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            # A second copy of the same click: its trigger opened the form already.
            if exc.response.get("error") not in ("exchanged_trigger_id", "expired_trigger_id"):
                raise


def _step(services: Services, seen: WizardState) -> Step:
    all_steps = steps(services.config)
    return all_steps[max(0, min(seen.step, len(all_steps) - 1))]


def _current(
    services: Services, uow: UnitOfWork, body: dict[str, Any], seen: WizardState | None
) -> Draft | None:
    """The draft, if this click is the SDR's on the state their modal shows; None for a
    draft that is gone or sent, or a second copy of a click the first already applied."""
    draft = uow.drafts.get(seen.draft, lock=True) if seen else None
    if draft is None or seen is None or draft.user_id != user_id(body):
        return None
    if draft.submitted_at is not None or (draft.step, draft.rev) != (seen.step, seen.rev):
        return None
    return draft


def _redraw(services: Services, body: dict[str, Any], *, move: int = 0, remove: int = -1) -> None:
    """Keep the step's inputs (unvalidated), apply the button, and redraw the modal."""
    current = body.get("view") or {}
    seen = wizard_state(current)
    with services.uow() as uow:
        draft = _current(services, uow, body, seen)
        if draft is None or seen is None:
            return
        answers = {**draft.answers, **typed_answers(current, _step(services, seen))}
        people = list(answers.get(Field.STAKEHOLDERS) or [])
        if 0 <= remove < len(people):
            del people[remove]
            answers[Field.STAKEHOLDERS.value] = people
        step = max(0, seen.step + move)
        view = show_step(uow, services.config, draft, step, answers, services.now(), seen=seen)
    if view is not None:
        update_open_view(services, str(current.get("id")), view, str(current.get("hash") or ""))
