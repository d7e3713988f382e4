"""Lifecycle rules against an in-memory repository (the real one is in tests/integration)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from handoff import lifecycle
from handoff.model import DisputeStatus, Handoff, MeetingOutcome, Qualification, Score, Status
from tests.support.qualifications import NOW, qualification, scored


class FakeRepository:
    def __init__(self) -> None:
        self.rows: dict[int, Handoff] = {}
        self.keys: dict[str, int] = {}
        self.events: list[tuple[int, str, str]] = []
        self.event_data: list[dict[str, object]] = []

    def add(
        self,
        *,
        team_id: str,
        sdr_id: str,
        qualification: Qualification,
        score: Score,
        submission_key: str,
        now: datetime,
    ) -> Handoff:
        handoff = Handoff(
            id=len(self.rows) + 1,
            team_id=team_id,
            sdr_id=sdr_id,
            status=Status.SUBMITTED,
            qualification=qualification,
            rubric_version=score.rubric_version,
            submitted_at=now,
            score=score,
        )
        self.rows[handoff.id] = handoff
        self.keys[submission_key] = handoff.id
        return handoff

    def revise(
        self, handoff_id: int, *, qualification: Qualification, score: Score, now: datetime
    ) -> bool:
        row = self.rows[handoff_id]
        if not row.is_open:
            return False
        self.rows[handoff_id] = dataclasses.replace(
            row,
            qualification=qualification,
            score=score,
            rubric_version=score.rubric_version,
            edited_at=now,
            brief_version=row.brief_version + 1,
        )
        return True

    def get(self, handoff_id: int) -> Handoff | None:
        return self.rows.get(handoff_id)

    def get_by_submission_key(self, key: str) -> Handoff | None:
        return self.rows.get(self.keys.get(key, -1))

    def compare_and_set(
        self,
        handoff_id: int,
        *,
        from_statuses: Sequence[Status],
        to_status: Status,
        changes: dict[str, object],
        bump_brief: bool = True,
    ) -> bool:
        row = self.rows[handoff_id]
        if row.status not in from_statuses:
            return False
        version = row.brief_version + (1 if bump_brief else 0)
        fields = {k: v for k, v in changes.items() if k in Handoff.__dataclass_fields__}
        self.rows[handoff_id] = dataclasses.replace(
            row,
            status=to_status,
            brief_version=version,
            **fields,  # type: ignore[arg-type]
        )
        return True

    def set_outcome(
        self, handoff_id: int, *, expect_round: int, changes: dict[str, object]
    ) -> bool:
        row = self.rows[handoff_id]
        still_open = row.outcome in (None, MeetingOutcome.RESCHEDULED)
        if row.status != Status.ACCEPTED or row.chase_round != expect_round or not still_open:
            return False
        return self.compare_and_set(
            handoff_id, from_statuses=(Status.ACCEPTED,), to_status=Status.ACCEPTED, changes=changes
        )

    def set_brief(self, handoff_id: int, *, channel: str, ts: str, now: datetime) -> bool:
        row = self.rows[handoff_id]
        if row.brief_ts is not None:
            return False
        self.rows[handoff_id] = dataclasses.replace(row, brief_channel=channel, brief_ts=ts)
        return True

    def record(
        self, handoff_id: int, *, actor: str, kind: str, data: dict[str, object], now: datetime
    ) -> None:
        self.events.append((handoff_id, actor, kind))
        self.event_data.append(data)

    def set_dispute(
        self,
        handoff_id: int,
        *,
        expect: str | None,
        to_status: Status,
        changes: dict[str, object],
    ) -> bool:
        row = self.rows[handoff_id]
        if row.status != Status.REJECTED or row.dispute_status != expect:
            return False
        fields = {k: v for k, v in changes.items() if k in Handoff.__dataclass_fields__}
        self.rows[handoff_id] = dataclasses.replace(
            row,
            status=to_status,
            brief_version=row.brief_version + 1,
            **fields,  # type: ignore[arg-type]
        )
        return True


@pytest.fixture
def repo() -> FakeRepository:
    return FakeRepository()


def _submitted(repo: FakeRepository, key: str = "draft:1") -> Handoff:
    return lifecycle.submit(
        repo,
        team_id="T1",
        sdr_id="USDR",
        qualification=qualification(),
        score=scored(),
        submission_key=key,
        now=NOW,
    ).handoff


def test_submit_is_idempotent_per_key(repo):
    first = _submitted(repo)
    again = lifecycle.submit(
        repo,
        team_id="T1",
        sdr_id="USDR",
        qualification=qualification(company="Other"),
        score=scored(),
        submission_key="draft:1",
        now=NOW,
    )
    assert not again.changed and again.handoff.id == first.id
    assert len(repo.rows) == 1
    assert repo.events == [(first.id, "USDR", "submitted")]


def test_posting_opens_the_handoff_once(repo):
    h = _submitted(repo)
    assert lifecycle.mark_posted(repo, h.id, channel="CAE", ts="1.0", now=NOW)
    assert not lifecycle.mark_posted(repo, h.id, channel="CAE", ts="2.0", now=NOW)
    row = repo.get(h.id)
    assert row.status == Status.PENDING and row.brief_ts == "1.0"
    assert row.brief_version == 1  # posting does not make the brief stale


def test_accept_then_second_accept_names_the_winner(repo):
    h = _submitted(repo)
    won = lifecycle.accept(repo, h.id, actor="UAE1", is_ae=True, now=NOW)
    assert won.changed and won.handoff.status == Status.ACCEPTED
    assert won.handoff.decided_by == "UAE1"
    late = lifecycle.accept(repo, h.id, actor="UAE2", is_ae=True, now=NOW)
    assert not late.changed
    assert late.refusal == lifecycle.Refusal("already_decided", Status.ACCEPTED, "UAE1")
    late_reject = lifecycle.reject(
        repo, h.id, actor="UAE2", is_ae=True, reason="bad_fit", comment="", now=NOW
    )
    assert not late_reject.changed and late_reject.handoff.status == Status.ACCEPTED


def test_sdr_cannot_decide_their_own_handoff(repo):
    h = _submitted(repo)
    outcome = lifecycle.accept(repo, h.id, actor="USDR", is_ae=True, now=NOW)
    assert not outcome.changed and outcome.refusal.kind == "own_handoff"
    assert repo.get(h.id).status == Status.SUBMITTED


def test_only_an_ae_decides(repo):
    h = _submitted(repo)
    for decide in (
        lambda: lifecycle.accept(repo, h.id, actor="USDR2", is_ae=False, now=NOW),
        lambda: lifecycle.reject(
            repo, h.id, actor="USDR2", is_ae=False, reason="bad_fit", comment="", now=NOW
        ),
    ):
        outcome = decide()
        assert not outcome.changed and outcome.refusal.kind == "not_ae"
    assert repo.get(h.id).status == Status.SUBMITTED


def test_reject_records_reason_and_comment(repo):
    h = _submitted(repo)
    outcome = lifecycle.reject(
        repo, h.id, actor="UAE1", is_ae=True, reason="no_pain", comment="vague", now=NOW
    )
    assert outcome.changed
    assert outcome.handoff.rejection_reason == "no_pain"
    assert outcome.handoff.rejection_comment == "vague"
    assert outcome.handoff.brief_version == 2
    assert repo.events[-1] == (h.id, "UAE1", "rejected")


def test_unknown_handoff_raises(repo):
    with pytest.raises(lifecycle.UnknownHandoff):
        lifecycle.accept(repo, 99, actor="UAE1", is_ae=True, now=NOW)


def test_lost_race_between_read_and_write_is_reported_as_refusal(repo):
    h = _submitted(repo)
    real_cas = repo.compare_and_set

    def someone_else_first(handoff_id, **kwargs):
        real_cas(
            handoff_id,
            from_statuses=(Status.SUBMITTED,),
            to_status=Status.REJECTED,
            changes={"decided_by": "UAE9"},
        )
        return real_cas(handoff_id, **kwargs)

    repo.compare_and_set = someone_else_first
    outcome = lifecycle.accept(repo, h.id, actor="UAE1", is_ae=True, now=NOW)
    assert not outcome.changed
    assert outcome.refusal == lifecycle.Refusal("already_decided", Status.REJECTED, "UAE9")


def test_booker_edits_an_open_handoff_and_the_brief_goes_stale(repo):
    h = _submitted(repo)
    weaker = qualification(timing="later")
    outcome = lifecycle.revise(
        repo, h.id, actor="USDR", qualification=weaker, score=scored(weaker), now=NOW
    )
    assert outcome.changed
    assert outcome.handoff.qualification.timing == "later"
    assert outcome.handoff.edited_at == NOW
    assert outcome.handoff.brief_version == 2
    assert repo.events[-1] == (h.id, "USDR", "edited")


@pytest.mark.parametrize("action", ["revise", "withdraw"])
def test_only_the_booker_may_edit_or_withdraw(repo, action):
    h = _submitted(repo)
    kwargs = {"qualification": qualification(), "score": scored()} if action == "revise" else {}
    outcome = getattr(lifecycle, action)(repo, h.id, actor="UAE1", now=NOW, **kwargs)
    assert not outcome.changed
    assert outcome.refusal == lifecycle.Refusal("not_booker", Status.SUBMITTED, "USDR")
    assert repo.get(h.id) == h


@pytest.mark.parametrize("action", ["revise", "withdraw"])
def test_nothing_changes_after_a_decision(repo, action):
    h = _submitted(repo)
    lifecycle.accept(repo, h.id, actor="UAE1", is_ae=True, now=NOW)
    kwargs = {"qualification": qualification(), "score": scored()} if action == "revise" else {}
    outcome = getattr(lifecycle, action)(repo, h.id, actor="USDR", now=NOW, **kwargs)
    assert outcome.refusal == lifecycle.Refusal("already_decided", Status.ACCEPTED, "UAE1")


def test_withdraw_closes_it_for_everyone(repo):
    h = _submitted(repo)
    outcome = lifecycle.withdraw(repo, h.id, actor="USDR", now=NOW)
    assert outcome.changed and outcome.handoff.status == Status.WITHDRAWN
    assert outcome.handoff.brief_version == 2
    late = lifecycle.accept(repo, h.id, actor="UAE1", is_ae=True, now=NOW)
    assert late.refusal and late.refusal.kind == "withdrawn"
    again = lifecycle.withdraw(repo, h.id, actor="USDR", now=NOW)
    assert again.refusal and again.refusal.kind == "withdrawn"


def test_a_canceled_meeting_ends_the_handoff_and_refuses_everything_after(repo):
    h = _submitted(repo)
    outcome = lifecycle.meeting_canceled(repo, h.id, by="calendly", reason="moved", now=NOW)
    assert outcome.changed and outcome.handoff.status == Status.CANCELED
    assert repo.events[-1] == (h.id, "calendly", "canceled")
    assert repo.event_data[-1] == {"by": "calendly", "was": "submitted", "reason": "moved"}
    again = lifecycle.meeting_canceled(repo, h.id, by="calendly", reason="", now=NOW)
    assert not again.changed  # a replay tells nobody twice
    late = lifecycle.accept(repo, h.id, actor="UAE1", is_ae=True, now=NOW)
    assert late.refusal and late.refusal.kind == "canceled"
    edit = lifecycle.withdraw(repo, h.id, actor="USDR", now=NOW)
    assert edit.refusal and edit.refusal.kind == "canceled"


def test_a_cancellation_leaves_a_told_story_as_it_is(repo):
    rejected = _submitted(repo)
    lifecycle.reject(repo, rejected.id, actor="UAE1", is_ae=True, reason="r", comment="", now=NOW)
    assert not lifecycle.meeting_canceled(
        repo, rejected.id, by="calcom", reason="", now=NOW
    ).changed
    held = _submitted(repo, key="k-held")
    lifecycle.accept(repo, held.id, actor="UAE1", is_ae=True, now=NOW)
    lifecycle.log_outcome(
        repo, held.id, actor="UAE1", outcome=MeetingOutcome.HELD_NO_FIT, managers=(), now=NOW
    )
    assert not lifecycle.meeting_canceled(repo, held.id, by="calcom", reason="", now=NOW).changed
    assert repo.get(held.id).status == Status.ACCEPTED


def test_a_no_show_from_the_tool_is_logged_only_for_an_accepted_meeting(repo):
    h = _submitted(repo)
    assert not lifecycle.no_show_reported(repo, h.id, by="calendly", now=NOW).changed
    lifecycle.accept(repo, h.id, actor="UAE1", is_ae=True, now=NOW)
    logged = lifecycle.no_show_reported(repo, h.id, by="calendly", now=NOW)
    assert logged.changed and logged.handoff.outcome == MeetingOutcome.NO_SHOW
    assert not lifecycle.no_show_reported(repo, h.id, by="calendly", now=NOW).changed


# -- disputes ----------------------------------------------------------------------------------

MANAGERS = ("UMGR1", "UMGR2")
WINDOW = timedelta(days=30)
CASE = "Dana is the economic buyer; the AE missed the org chart we shared."


def _rejected(repo: FakeRepository) -> Handoff:
    h = _submitted(repo)
    lifecycle.reject(
        repo, h.id, actor="UAE1", is_ae=True, reason="wrong_persona", comment="Not a buyer", now=NOW
    )
    return repo.get(h.id)


def _dispute(repo, handoff_id, *, actor="USDR", now=NOW + timedelta(hours=1), case=CASE):
    return lifecycle.dispute(
        repo, handoff_id, actor=actor, case=case, managers=MANAGERS, now=now, window=WINDOW
    )


def _resolve(repo, handoff_id, *, actor="UMGR1", overturn=True, to_ae="UAE2", now=NOW):
    return lifecycle.resolve_dispute(
        repo,
        handoff_id,
        actor=actor,
        overturn=overturn,
        managers=MANAGERS,
        now=now + timedelta(hours=2),
        to_ae=to_ae if overturn else None,
    )


def test_the_booker_disputes_a_rejection_once(repo):
    h = _rejected(repo)
    first = _dispute(repo, h.id, case=f"  {CASE}  ")
    assert first.changed
    row = first.handoff
    assert row.status == Status.REJECTED and row.dispute_status == DisputeStatus.OPEN
    assert row.dispute_case == CASE and row.disputed_at == NOW + timedelta(hours=1)
    assert row.brief_version == h.brief_version + 1  # the brief shows "Disputed"
    assert repo.events[-1] == (h.id, "USDR", "disputed")
    assert repo.event_data[-1] == {
        "case": CASE,
        "rejected_by": "UAE1",
        "rejection_reason": "wrong_persona",
    }
    second = _dispute(repo, h.id, case="Once more, with feeling.")
    assert not second.changed
    assert second.refusal == lifecycle.Refusal("already_disputed", Status.REJECTED, "USDR")
    assert repo.get(h.id).dispute_case == CASE


def test_only_the_booker_may_dispute_and_only_a_rejection(repo):
    h = _rejected(repo)
    assert _dispute(repo, h.id, actor="UAE2").refusal.kind == "dispute_not_booker"
    accepted = _submitted(repo, key="draft:2")
    lifecycle.accept(repo, accepted.id, actor="UAE1", is_ae=True, now=NOW)
    refused = _dispute(repo, accepted.id)
    assert refused.refusal == lifecycle.Refusal("not_rejected", Status.ACCEPTED, "UAE1")
    assert repo.get(h.id).dispute_status is None


def test_a_dispute_needs_managers_and_a_case(repo):
    h = _rejected(repo)
    none = lifecycle.dispute(
        repo, h.id, actor="USDR", case=CASE, managers=(), now=NOW, window=WINDOW
    )
    assert none.refusal.kind == "no_managers"
    for case in ("", "   ", "x" * 1001):
        with pytest.raises(ValueError):
            _dispute(repo, h.id, case=case)
    assert _dispute(repo, h.id, case="x" * 1000).changed


def test_the_dispute_window_counts_from_the_rejection(repo):
    h = _rejected(repo)
    late = _dispute(repo, h.id, now=NOW + WINDOW + timedelta(seconds=1))
    assert late.refusal == lifecycle.Refusal("too_late", Status.REJECTED, "UAE1")
    no_limit = lifecycle.dispute(
        repo,
        h.id,
        actor="USDR",
        case=CASE,
        managers=MANAGERS,
        now=NOW + timedelta(days=400),
        window=lifecycle.dispute_window(0),
    )
    assert no_limit.changed
    assert lifecycle.dispute_window(30) == timedelta(days=30)


def test_overturn_counts_as_accepted_and_keeps_the_rejection_on_record(repo):
    h = _rejected(repo)
    _dispute(repo, h.id)
    done = _resolve(repo, h.id, overturn=True, to_ae="UAE2")
    assert done.changed
    row = done.handoff
    assert row.status == Status.ACCEPTED and row.dispute_status == DisputeStatus.OVERTURNED
    assert row.ae_id == "UAE2"  # the AE the manager picked owns the meeting
    assert (row.reassigned_by, row.reassigned_at) == ("UMGR1", NOW + timedelta(hours=2))
    assert (row.dispute_resolved_by, row.dispute_resolved_at) == ("UMGR1", NOW + timedelta(hours=2))
    # The AE's decision stays as it was made.
    assert (row.decided_by, row.rejection_reason, row.rejection_comment) == (
        "UAE1",
        "wrong_persona",
        "Not a buyer",
    )
    assert repo.events[-1] == (h.id, "UMGR1", "dispute_overturned")
    assert repo.event_data[-1] == {
        "rejected_by": "UAE1",
        "rejection_reason": "wrong_persona",
        "rejection_comment": "Not a buyer",
        "to": "UAE2",
    }
    # Accepted now: the outcome chase asks the new owner, who may log it.
    assert lifecycle.outcome_refusal(row, "UAE2", MANAGERS) is None
    # A stale Accept or Edit names the manager whose verdict stands, not the AE who rejected.
    late = lifecycle.accept(repo, h.id, actor="UAE3", is_ae=True, now=NOW)
    assert late.refusal == lifecycle.Refusal("already_decided", Status.ACCEPTED, "UMGR1")
    assert lifecycle.edit_refusal(row, "USDR").by == "UMGR1"


def test_uphold_keeps_it_rejected(repo):
    h = _rejected(repo)
    _dispute(repo, h.id)
    done = _resolve(repo, h.id, actor="UMGR2", overturn=False)
    assert done.changed
    assert done.handoff.status == Status.REJECTED
    assert done.handoff.dispute_status == DisputeStatus.UPHELD
    assert done.handoff.ae_id is None
    assert repo.events[-1] == (h.id, "UMGR2", "dispute_upheld")


def test_only_a_manager_resolves_and_only_once(repo):
    h = _rejected(repo)
    not_yet = _resolve(repo, h.id)
    assert not_yet.refusal.kind == "not_disputed"
    _dispute(repo, h.id)
    assert _resolve(repo, h.id, actor="UAE2").refusal == lifecycle.Refusal(
        "dispute_not_manager", Status.REJECTED, None
    )
    assert _resolve(repo, h.id, overturn=False).changed
    again = _resolve(repo, h.id, actor="UMGR2", overturn=True)
    assert again.refusal == lifecycle.Refusal("dispute_resolved", Status.REJECTED, "UMGR1")
    assert repo.get(h.id).status == Status.REJECTED
    # A resolved dispute is not opened again either.
    assert _dispute(repo, h.id).refusal == lifecycle.Refusal(
        "already_disputed", Status.REJECTED, "UMGR1"
    )


def test_no_manager_judges_their_own_case(repo):
    h = _rejected(repo)
    _dispute(repo, h.id)
    managers = ("USDR", "UAE1", "UMGR1")
    for actor in ("USDR", "UAE1"):
        refused = lifecycle.resolve_dispute(
            repo, h.id, actor=actor, overturn=False, managers=managers, now=NOW
        )
        assert refused.refusal.kind == "conflict"
    to_booker = _resolve(repo, h.id, to_ae="USDR")
    assert to_booker.refusal.kind == "booker_as_ae"
    with pytest.raises(ValueError):
        _resolve(repo, h.id, to_ae="")
    assert repo.get(h.id).dispute_status == DisputeStatus.OPEN


def test_two_managers_at_once_get_one_verdict(repo):
    h = _rejected(repo)
    _dispute(repo, h.id)
    real = repo.set_dispute

    def other_manager_first(handoff_id, **kwargs):
        real(
            handoff_id,
            expect=DisputeStatus.OPEN,
            to_status=Status.REJECTED,
            changes={"dispute_status": DisputeStatus.UPHELD, "dispute_resolved_by": "UMGR2"},
        )
        return real(handoff_id, **kwargs)

    repo.set_dispute = other_manager_first
    lost = _resolve(repo, h.id, overturn=True)
    assert not lost.changed
    assert lost.refusal == lifecycle.Refusal("dispute_resolved", Status.REJECTED, "UMGR2")
    assert repo.get(h.id).status == Status.REJECTED


def test_after_an_overturn_the_ae_who_rejected_it_does_not_log_its_outcome(repo):
    h = _rejected(repo)
    _dispute(repo, h.id)
    assert _resolve(repo, h.id, to_ae="UAE2").changed
    now = repo.get(h.id)
    refusal = lifecycle.outcome_refusal(now, "UAE1", MANAGERS)
    assert refusal and refusal.kind == "not_owner" and refusal.by == "UAE2"
    assert lifecycle.outcome_refusal(now, "UAE2", MANAGERS) is None
    assert lifecycle.outcome_refusal(now, "UMGR1", MANAGERS) is None
