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

from bench.ack_kinds import AE_CHANNEL, Calls, Clicks, prepare_briefs, wait_effects, wait_until
from bench.ack_load import TimedSender, TimedStandIn, run_load
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
) -> dict[str, dict[int, float]]:
    from bench.digest import generate

    here = folder / "rss"
    here.mkdir()
    peaks = {}
    label = f"{args.rss_rows:,} handoffs stored"
    with TimedStandIn(team_id=TEAM) as standin, fresh_database(args.database, here) as url:
        standin.add_channel(AE_CHANNEL, "ae-desk")
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
            briefs = prepare_briefs(standin, sender, CLICKS, "M")
            accept = Clicks(Action.ACCEPT, briefs, "M")
            run = run_load(
                sender, lambda i: accept.send(sender, i), CLICKS, 8, kind="Accept", server="app"
            )
            wait_effects(accept, run, standin, args.effects_timeout)
            start = time.monotonic()
            run_load(
                sender,
                lambda i: sender.app_home_opened(HOMES[i]),
                len(HOMES),
                8,
                kind="Home",
                server="app",
            )
            wait_until(lambda: _homes_after(standin, start), args.effects_timeout, "the Homes")
            done = f"after {CLICKS} handoffs and Accepts and {len(HOMES)} Home opens"
            peaks[f"{label}, {done}"] = app.peak_rss_mb()
        finally:
            app.stop()
    return peaks


def _homes_after(standin: TimedStandIn, start: float) -> bool:
    calls = Calls(standin)
    return all(calls.home_after(user, start) for user in HOMES)


def _follow_ids(url: str) -> None:
    """The generator chose the handoffs' ids itself: move PostgreSQL's sequence past them."""
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('handoffs', 'id'), "
            "(SELECT max(id) FROM handoffs))"
        )
