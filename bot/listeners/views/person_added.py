"""A person is added from the pushed modal: validate, keep it in the draft, redraw the step."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.wizard_flow import step_view, update_open_view
from bot.payloads import metadata_id, state_value, user_id
from bot.services import Services
from handoff.model import Field
from handoff.qualification import MAX_STAKEHOLDERS, person_errors

BLOCKS = {
    "name": ids.Block.PERSON_NAME,
    "title": ids.Block.PERSON_TITLE,
    "role": ids.Block.PERSON_ROLE,
}


def register(app: App, services: Services) -> None:
    @app.view(ids.Callback.ADD_PERSON)
    def person_added(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        sdr = user_id(body)
        draft_id = metadata_id(view, "draft")
        values = (view.get("state") or {}).get("values") or {}
        person = {
            key: _text(state_value(values.get(block, {}).get(ids.Action.ANSWER)))
            for key, block in BLOCKS.items()
        }
        errors = {BLOCKS[k].value: m for k, m in person_errors(person, services.config).items()}
        now = services.now()
        with services.uow() as uow:
            draft = uow.drafts.get(draft_id) if draft_id else None
            if draft is None or draft.user_id != sdr or draft.submitted_at is not None:
                errors = {ids.Block.PERSON_NAME.value: "This form has expired; close it."}
            people = list(draft.answers.get(Field.STAKEHOLDERS) or []) if draft else []
            if not errors and len(people) >= MAX_STAKEHOLDERS:
                errors = {ids.Block.PERSON_NAME.value: "That is 10 people already; remove one."}
            if errors or draft is None:
                ack(response_action="errors", errors=errors)
                return
            people.append({**person, "role": person["role"] or None})
            answers = {**draft.answers, Field.STAKEHOLDERS.value: people}
            uow.drafts.save(draft.id, answers=answers, step=draft.step, now=now)
            mode, step, parent = draft.mode, draft.step, draft.view_id
        ack()  # closes this modal; the step below it is redrawn with the new person
        parent = view.get("previous_view_id") or parent
        if parent and draft_id is not None:
            _, redrawn = step_view(services.config, draft_id, mode, step, answers, now)
            update_open_view(services, parent, redrawn, "")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
