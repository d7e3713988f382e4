"""Scheduled sweeps: APScheduler jobs with fixed ids; each run is idempotent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.delivery.pacing import Slack
from bot.delivery.sender import deliver_due
from bot.jobs.sweep import SweepReport, run_sweep
from bot.jobs.weekly_digest import send_due_digest
from bot.observability import logs, telemetry
from bot.services import Services, make_services
from bot.settings import Settings
from storage.leader import leadership

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
SWEEP_LOCK = "sweep"


def job(name: str) -> Callable[[Callable[[Services], Any]], Callable[[Services], None]]:
    """Log and time every run; a failed run is logged with its traceback and retried next time."""

    def wrap(fn: Callable[[Services], Any]) -> Callable[[Services], None]:
        def run(services: Services) -> None:
            logs.start(job=name)
            started = time.monotonic()
            try:
                result = fn(services)
            except Exception:
                log.exception("job %s failed", name)
                return
            log.info("job %s: %s in %.2fs", name, result, time.monotonic() - started)

        run.__name__ = name
        return run

    return wrap


@job("deliver_pending")
def deliver_pending_job(services: Services) -> int:
    outcome = deliver_due(services, Slack.for_sweep(services.client))
    telemetry.delivered(outcome, via="sweep")
    return len(outcome.sent) + len(outcome.updated) + len(outcome.published)


def sweep_once(
    services: Services, *, digest: bool = False, slack: Slack | None = None
) -> SweepReport:
    """One sweep if no other process is running one (the database decides).

    With `digest`, the same sweep then sends the weekly digest if one is due: behind the
    same lock, and coalesced (after downtime only the latest period's digest goes out).
    """
    started = time.monotonic()
    try:
        with leadership(services.engine, SWEEP_LOCK) as leader:
            if not leader:
                telemetry.sweep("skipped")
                return SweepReport(skipped="another process holds the sweep lock")
            now = services.now()
            report = run_sweep(services, now=now, slack=slack)
            if digest:
                try:
                    report.digest = send_due_digest(services, now=now, slack=slack)
                except Exception:  # never let the digest stop the chases of the next sweep
                    telemetry.digest_run("failed")
                    log.exception("digest check failed; the next sweep tries again")
    except Exception:
        telemetry.sweep("failed", time.monotonic() - started)
        raise
    telemetry.sweep("done", time.monotonic() - started)
    return report


@job("sweep")
def sweep_job(services: Services) -> str:
    report = sweep_once(services, digest=True)
    if report.skipped:
        return report.skipped
    summary = f"{len(report.sent)} messages, {len(report.briefs)} briefs"
    if report.digest is not None:
        sent = len(report.digest.deliveries)
        summary += f", digest: {report.digest.skipped or report.digest.error or f'{sent} sent'}"
    return summary


JOBS: dict[str, Callable[[Services], None]] = {
    "deliver_pending": deliver_pending_job,
    "sweep": sweep_job,
}


def _add_jobs(scheduler: BaseScheduler, services: Services, *, at_start: bool) -> None:
    # One sweep job, not one job per handoff: due times live in the database. After
    # downtime the missed runs coalesce into one, which catches up on everything.
    # `at_start`: the first runs now rather than an interval from now.
    first = {"next_run_time": datetime.now(UTC)} if at_start else {}
    scheduler.add_job(
        sweep_job,
        "interval",
        seconds=SWEEP_SECONDS,
        **first,
        args=[services],
        id="sweep",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=SWEEP_SECONDS * 5,
    )


def start_background(settings: Settings, *, at_start: bool = True) -> BackgroundScheduler:
    """`at_start=False` in gunicorn's master: it forks its workers right after, and a SQLite
    connection in use during a fork leaves the child's connections locked out."""
    services = make_services(settings)
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_jobs(scheduler, services, at_start=at_start)
    scheduler.start()
    log.info("scheduler started in this process")
    return scheduler


def run_blocking(settings: Settings, *, metrics_port: int | None = None) -> None:
    """The worker: the sweeps, and GET /metrics on `metrics_port` when one is given."""
    services = make_services(settings)
    if metrics_port is not None:
        from bot.observability.exposition import serve_metrics

        serve_metrics(services.db, services.now, settings.metrics_token, metrics_port)
    scheduler = BlockingScheduler(timezone="UTC")
    _add_jobs(scheduler, services, at_start=True)
    log.info("worker: scheduler running; Ctrl-C stops it")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("worker stopped")
