"""Peak RSS of the app's web workers with many handoffs stored (bench/ack.py --rss-rows).

The rows come from bench/digest.py's generator (every status, two years, 300 SDRs and 40
AEs in team T1); then the app is served on them, handoffs go through the wizard and are
accepted, and generated people open their Home, the read that grows with what is stored.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

from bench.ack_kinds import AE_CHANNEL, Calls, Clicks, deciders, wait_effects
from bench.ack_load import TimedSender, TimedStandIn, run_load
from bench.ack_prepare import prepare_briefs
from bench.ack_servers import fresh_database, libpq, start_app
from bot.ids import Action

CLICKS = 50
# People the generator made: SDRs U0SDR0…U0SDR299, AEs U0AE0…U0AE39.
HOMES = [f"U0SDR{i}" for i in range(60)] + [f"U0AE{i}" for i in range(40)]
TEAM = "T1"  # the generator's team


def measure_rss(
    args: argparse.Namespace,
    env: Callable[[TimedStandIn, str], dict[str, str]],
    folder: Path,
    secret: str,
    log: Callable[[str], None],
) -> tuple[dict[str, dict[int, float]], list[str]]:
    """The workers' peaks by moment, and what the app did meanwhile, in words."""
    from bench.digest import generate

    here = folder / "rss"
    here.mkdir()
    peaks, notes = {}, []
    label = f"{args.rss_rows:,} handoffs stored"
    with TimedStandIn(team_id=TEAM) as standin, fresh_database(args.database, here) as url:
        standin.add_channel(AE_CHANNEL, "ae-desk", members=deciders(["M"], CLICKS))
        log(f"generating {args.rss_rows:,} handoffs (minutes) …")
        with redirect_stdout(sys.stderr):
            generate(url, args.rss_rows, 104)
        if url.startswith("postgres"):
            _follow_ids(url)
        app = start_app(
            env(standin, url), here, workers=args.workers, threads=args.threads, name="app-rss"
        )
        try:
            sender = TimedSender(app.url, secret, standin, timeout=30)
            app.wait_ready(lambda: sender.url_verification("ready").status == 200)
            peaks[f"{label}, once started"] = app.peak_rss_mb()
            log(f"{CLICKS} handoffs, their Accepts and {len(HOMES)} Home opens …")
            notes += _load(standin, sender, args.effects_timeout)
        except (AssertionError, RuntimeError) as exc:
            notes.append(f"stopped early: {exc}")  # the peak so far still counts
        finally:
            peaks[f"{label}, after the clicks and Home opens"] = app.peak_rss_mb()
            notes.append(f"the app logged {app.log_problems()} tracebacks (see {app.log})")
            app.stop()
    return peaks, notes


def _load(standin: TimedStandIn, sender: TimedSender, timeout: float) -> list[str]:
    """Handoffs through the wizard, their Accepts, then Home opens; what happened, in words."""
    briefs = prepare_briefs(standin, sender, CLICKS, "M")
    accept = Clicks(Action.ACCEPT, briefs, "M")
    run = run_load(sender, lambda i: accept.send(sender, i), CLICKS, 4, kind="Accept", server="app")
    effects = wait_effects(accept, run, standin, timeout)
    stats = run.stats()
    start = time.monotonic()
    run_load(
        sender, lambda i: sender.app_home_opened(HOMES[i]), len(HOMES), 4, kind="Home", server="app"
    )
    deadline = time.monotonic() + timeout
    while (homes := _homes_after(standin, start)) < len(HOMES) and time.monotonic() < deadline:
        time.sleep(0.5)
    return [
        f"{CLICKS} Accepts at concurrency 4: p50 {stats['p50_ms']:.0f} ms, p99 "
        f"{stats['p99_ms']:.0f} ms, {stats['over_3s']} over 3 s, {stats['not_200']} not HTTP 200; "
        f"effects delivered for {effects['delivered']}/{effects['of']}",
        f"{len(HOMES)} Home opens at concurrency 4: {homes} Homes published",
    ]


def _homes_after(standin: TimedStandIn, start: float) -> int:
    calls = Calls(standin)
    return sum(calls.home_after(user, start) is not None for user in HOMES)


def _follow_ids(url: str) -> None:
    """The generator chose the handoffs' ids itself: move PostgreSQL's sequence past them."""
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('handoffs', 'id'), "
            "(SELECT max(id) FROM handoffs))"
        )
