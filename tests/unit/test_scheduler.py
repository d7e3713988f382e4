"""The scheduler's one job: coalesced, one instance, a stated misfire grace."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs.scheduler import SWEEP_SECONDS, _add_jobs


def test_one_sweep_job_that_coalesces_missed_runs():
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_jobs(scheduler, services=None)  # type: ignore[arg-type]
    [job] = scheduler.get_jobs()
    assert job.id == "sweep"
    assert job.coalesce is True and job.max_instances == 1
    assert job.misfire_grace_time == SWEEP_SECONDS * 5
    assert job.trigger.interval.total_seconds() == SWEEP_SECONDS
