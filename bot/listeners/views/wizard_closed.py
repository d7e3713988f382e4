"""The wizard is closed half-way: keep what was typed as a draft to resume from Home."""

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Callback
from bot.payloads import team_id, user_id, wizard_state
from bot.services import Services
from bot.surfaces.wizard import typed_answers
from handoff.effects import homes
from handoff.qualification import steps


def register(app: App, services: Services) -> None:
    @app.view_closed(Callback.QUALIFY)
    def wizard_closed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        sdr = user_id(body)
        seen = wizard_state(view)
        all_steps = steps(services.config)
        with services.uow() as uow:
            draft = uow.drafts.get(seen.draft, lock=True) if seen else None
            if draft is None or seen is None or draft.user_id != sdr or draft.submitted_at:
                return
            if (draft.step, draft.rev) != (seen.step, seen.rev):
                return  # an older copy of the modal: the draft holds something newer
            index = max(0, min(draft.step, len(all_steps) - 1))
            answers = {**draft.answers, **typed_answers(view, all_steps[index])}
            if not any(v not in (None, "", []) for v in answers.values()):
                uow.drafts.discard(draft.id, sdr)  # nothing typed: nothing to resume
            else:
                uow.drafts.save(draft.id, answers=answers, step=index, now=services.now())
            # Home lists the draft to resume (or no longer does).
            uow.outbox.add(homes(team_id(body), [sdr]), now=services.now())
            written = uow.outbox.written
        services.deliver_soon(written)
