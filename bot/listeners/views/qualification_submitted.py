"""A wizard step is submitted: keep the answers, then the next step, or store the handoff."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.delivery.change_effects import write_change
from bot.delivery.crashpoints import crash_at
from bot.ids import Callback
from bot.listeners.wizard_flow import current_view, show_step
from bot.payloads import team_id, user_id, wizard_state
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from bot.surfaces.wizard import typed_answers
from handoff.effects import Change
from handoff.lifecycle import Outcome, UnknownHandoff, revise, submit
from handoff.qualification import Invalid, step_errors, steps, validate
from handoff.scoring import may_submit, score
from storage.uow import UnitOfWork

EXPIRED = "This form has expired. Close it and run /handoff again."


def register(app: App, services: Services) -> None:
    @app.view(Callback.QUALIFY)
    def qualification_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        with services.uow() as uow:
            response = _handle(services, uow, body, view)
            written = uow.outbox.written
        # The draft (or the handoff and all it tells Slack) is committed: nothing is lost.
        crash_at("after_commit")
        ack(**response)
        services.deliver_soon(written)


def _handle(
    services: Services, uow: UnitOfWork, body: dict[str, Any], view: dict[str, Any]
) -> dict[str, Any]:
    sdr = user_id(body)
    seen = wizard_state(view)
    config, now = services.config, services.now()
    all_steps = steps(config)
    last = len(all_steps) - 1
    drafts = uow.drafts
    # Locked: two copies of one submission queue here, the second sees what the first did.
    draft = drafts.get(seen.draft, lock=True) if seen else None
    if draft is None or seen is None or draft.user_id != sdr:
        return {"response_action": "update", "view": too_late_view(EXPIRED)}
    if draft.submitted_at is not None:
        return {}  # a second copy of Send: the first one stored it; both close the modal
    if (draft.step, draft.rev) != (seen.step, seen.rev) or seen.step > last:
        # A copy of a step already passed (a retry, a double press): the step the draft is
        # on now, never errors on fields this copy did not show.
        return {"response_action": "update", "view": current_view(uow, config, draft, now)}
    index = seen.step
    answers = {**draft.answers, **typed_answers(view, all_steps[index])}

    if index < last:
        errors = step_errors(answers, all_steps[index], config, now)
        if errors:
            drafts.save(draft.id, answers=answers, step=index, now=now)  # kept, same rev
            return {"response_action": "errors", "errors": errors}
        shown = show_step(uow, config, draft, index + 1, answers, now, seen=seen)
        assert shown is not None  # under the draft's lock, from the state it shows
        return {"response_action": "update", "view": shown}

    result = validate(answers, config, now)
    judged = None if isinstance(result, Invalid) else score(result, config)
    if isinstance(result, Invalid) or judged is None or not may_submit(judged, config.rubric):
        # Something went stale since the review (the meeting time passed, a choice
        # was removed): show the step to fix, or the review that says why not.
        again = show_step(uow, config, draft, last, answers, now, seen=seen)
        assert again is not None
        return {"response_action": "update", "view": again}

    outcome: Outcome
    if draft.mode == "edit" and draft.handoff_id is not None:
        try:
            outcome = revise(
                uow.handoffs,
                draft.handoff_id,
                actor=sdr,
                qualification=result,
                score=judged,
                now=now,
            )
        except UnknownHandoff:
            return {"response_action": "update", "view": too_late_view(GONE)}
        if outcome.refusal:
            drafts.discard(draft.id, sdr)
            text = refusal_text(outcome.refusal, sdr)
            return {"response_action": "update", "view": too_late_view(text)}
        change = Change.REVISED
    else:
        outcome = submit(
            uow.handoffs,
            team_id=team_id(body) or draft.team_id,
            sdr_id=sdr,
            qualification=result,
            score=judged,
            submission_key=f"draft:{draft.id}",
            now=now,
        )
        change = Change.SUBMITTED
    drafts.mark_submitted(draft.id, handoff_id=outcome.handoff.id, answers=answers, now=now)
    uow.bookings.qualified(draft.id, outcome.handoff.id, now=now)  # when a booking opened it
    if outcome.changed:
        write_change(uow, services, change, outcome.handoff, actor=sdr, now=now)
    return {}
