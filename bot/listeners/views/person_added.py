"""A person is added from the pushed modal: validate, keep it in the draft, redraw the step."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.wizard_flow import show_step, update_open_view
from bot.payloads import state_value, user_id, wizard_state
from bot.services import Services
from handoff.model import Field
from handoff.qualification import MAX_STAKEHOLDERS, person_errors

NAME = ids.Block.PERSON_NAME.value
BLOCKS = {
    "name": ids.Block.PERSON_NAME,
    "title": ids.Block.PERSON_TITLE,
    "role": ids.Block.PERSON_ROLE,
}


def register(app: App, services: Services) -> None:
    @app.view(ids.Callback.ADD_PERSON)
    def person_added(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        sdr = user_id(body)
        seen = wizard_state(view)  # the step the wizard showed when the form was pushed
        values = (view.get("state") or {}).get("values") or {}
        person = {
            key: _text(state_value(values.get(block, {}).get(ids.Action.ANSWER)))
            for key, block in BLOCKS.items()
        }
        errors = {BLOCKS[k].value: m for k, m in person_errors(person, services.config).items()}
        now = services.now()
        with services.uow() as uow:
            draft = uow.drafts.get(seen.draft, lock=True) if seen else None
            if draft is None or seen is None or draft.user_id != sdr or draft.submitted_at:
                ack(response_action="errors", errors={NAME: "This form has expired; close it."})
                return
            if (draft.step, draft.rev) != (seen.step, seen.rev):
                ack()  # a second copy: the first added this person; close the form again
                return
            people = list(draft.answers.get(Field.STAKEHOLDERS) or [])
            if not errors and len(people) >= MAX_STAKEHOLDERS:
                errors = {NAME: "That is 10 people already; remove one."}
            if errors:
                ack(response_action="errors", errors=errors)
                return
            people.append({**person, "role": person["role"] or None})
            answers = {**draft.answers, Field.STAKEHOLDERS.value: people}
            redrawn = show_step(uow, services.config, draft, seen.step, answers, now, seen=seen)
            parent = view.get("previous_view_id") or draft.view_id
        ack()  # closes this modal; the step below it is redrawn with the new person
        if parent and redrawn is not None:
            update_open_view(services, parent, redrawn, "")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
