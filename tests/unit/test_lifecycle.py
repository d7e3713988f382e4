"""Lifecycle rules against an in-memory repository (the real one is in tests/integration)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import pytest

from handoff import lifecycle
from handoff.model import Handoff, Qualification, Score, Status
from tests.conftest import NOW, qualification, scored


class FakeRepository:
    def __init__(self) -> None:
        self.rows: dict[int, Handoff] = {}
        self.keys: dict[str, int] = {}
        self.events: list[tuple[int, str, str]] = []

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
    won = lifecycle.accept(repo, h.id, actor="UAE1", now=NOW)
    assert won.changed and won.handoff.status == Status.ACCEPTED
    assert won.handoff.decided_by == "UAE1"
    late = lifecycle.accept(repo, h.id, actor="UAE2", now=NOW)
    assert not late.changed
    assert late.refusal == lifecycle.Refusal("already_decided", Status.ACCEPTED, "UAE1")
    late_reject = lifecycle.reject(repo, h.id, actor="UAE2", reason="bad_fit", comment="", now=NOW)
    assert not late_reject.changed and late_reject.handoff.status == Status.ACCEPTED


def test_sdr_cannot_decide_their_own_handoff(repo):
    h = _submitted(repo)
    outcome = lifecycle.accept(repo, h.id, actor="USDR", now=NOW)
    assert not outcome.changed and outcome.refusal.kind == "own_handoff"
    assert repo.get(h.id).status == Status.SUBMITTED


def test_reject_records_reason_and_comment(repo):
    h = _submitted(repo)
    outcome = lifecycle.reject(repo, h.id, actor="UAE1", reason="no_pain", comment="vague", now=NOW)
    assert outcome.changed
    assert outcome.handoff.rejection_reason == "no_pain"
    assert outcome.handoff.rejection_comment == "vague"
    assert outcome.handoff.brief_version == 2
    assert repo.events[-1] == (h.id, "UAE1", "rejected")


def test_unknown_handoff_raises(repo):
    with pytest.raises(lifecycle.UnknownHandoff):
        lifecycle.accept(repo, 99, actor="UAE1", now=NOW)


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
    outcome = lifecycle.accept(repo, h.id, actor="UAE1", now=NOW)
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
    lifecycle.accept(repo, h.id, actor="UAE1", now=NOW)
    kwargs = {"qualification": qualification(), "score": scored()} if action == "revise" else {}
    outcome = getattr(lifecycle, action)(repo, h.id, actor="USDR", now=NOW, **kwargs)
    assert outcome.refusal == lifecycle.Refusal("already_decided", Status.ACCEPTED, "UAE1")


def test_withdraw_closes_it_for_everyone(repo):
    h = _submitted(repo)
    outcome = lifecycle.withdraw(repo, h.id, actor="USDR", now=NOW)
    assert outcome.changed and outcome.handoff.status == Status.WITHDRAWN
    assert outcome.handoff.brief_version == 2
    late = lifecycle.accept(repo, h.id, actor="UAE1", now=NOW)
    assert late.refusal and late.refusal.kind == "withdrawn"
    again = lifecycle.withdraw(repo, h.id, actor="USDR", now=NOW)
    assert again.refusal and again.refusal.kind == "withdrawn"
