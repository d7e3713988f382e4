"""The scheduler's one job: coalesced, one instance, a stated misfire grace; the first run
at start, except in gunicorn's master (it forks right after)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs.scheduler import SWEEP_SECONDS, _add_jobs


@pytest.mark.parametrize("at_start", [True, False])
def test_one_sweep_job_that_coalesces_missed_runs(at_start):
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_jobs(scheduler, services=None, at_start=at_start)  # type: ignore[arg-type]
    [job] = scheduler.get_jobs()
    assert job.id == "sweep"
    assert job.coalesce is True and job.max_instances == 1
    assert job.misfire_grace_time == SWEEP_SECONDS * 5
    assert job.trigger.interval.total_seconds() == SWEEP_SECONDS
    scheduler.start(paused=True)
    try:
        first = scheduler.get_job("sweep").next_run_time - datetime.now(UTC)
    finally:
        scheduler.shutdown(wait=False)
    if at_start:
        assert first <= timedelta(seconds=1)
    else:
        assert first > timedelta(seconds=SWEEP_SECONDS - 5)
