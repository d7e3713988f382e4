"""Where the app's web workers spend a run (bench/ack.py --profile), sampled by py-spy.

py-spy samples every thread of every worker, idle ones included, for as long as the run
lasts. Each sample is put in one bucket by the frames it holds. The buckets name library
frames only (Bolt, SQLAlchemy, slack_sdk, Jinja), so they mean the same after the app's
own modules move, except the writer queue's, which has no library frame to name. Threads
are told apart by name: Bolt's listener pool (``listener_*``, bot/app.py), the delivery
pool (``delivery_*``, bot/delivery/pool.py) and gunicorn's request threads.
``pip install py-spy`` into .venv first; it needs ptrace (root here).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

# First match wins; each is a substring of one frame of the sample's stack.
BUCKETS = (
    # Bolt's request thread polls until the listener, run on Bolt's pool, calls ack().
    ("waiting for ack()", "ThreadListenerRunner.run (slack_bolt/listener/thread_runner.py"),
    # On SQLite a writing unit first queues for its turn (storage/writers.py).
    ("waiting for the writer queue", "storage/writers.py"),
    # On SQLite the app begins every transaction IMMEDIATE: this waits for the write lock.
    ("beginning a transaction", "Connection._begin_impl"),
    ("SQL statements", "DefaultDialect.do_"),
    ("Web API calls", "slack_sdk/web/"),
    ("response_url", "slack_sdk/webhook/"),
    ("rendering templates", "jinja2/"),
    ("gunicorn: reading and answering", "gunicorn/"),
)


class Profiler:
    """py-spy recording each of ``pids`` into ``folder`` until ``stop()``."""

    def __init__(self, pids: list[int], folder: Path) -> None:
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which(
            "py-spy"
        )
        if spy is None:
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        self.files = [folder / f"profile-{pid}.txt" for pid in pids]
        self.procs = [
            subprocess.Popen(
                [spy, "record", "--pid", str(pid), "--idle", "--threads", "--nonblocking",
                 "--format", "raw", "--output", str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid, out in zip(pids, self.files, strict=True)
        ]  # fmt: skip

    def stop(self) -> dict[str, dict[str, Any]]:
        for proc in self.procs:
            proc.send_signal(signal.SIGINT)  # py-spy writes what it sampled, then exits
        for proc in self.procs:
            proc.wait(timeout=60)
        return summarize([line for f in self.files if f.exists() for line in f.open()])


def summarize(lines: list[str]) -> dict[str, dict[str, Any]]:
    """Per kind of thread: its samples, and the share of them in each bucket."""
    samples = []
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack and count.isdigit() and "MainThread" not in stack.split(";", 1)[0]:
            samples.append((stack.split(";"), int(count)))  # gunicorn's main loop left out
    # A thread that served a request at least once is one of gunicorn's request threads.
    serving = {f[0] for f, _ in samples if any("gunicorn/workers/gthread.py" in x for x in f)}
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for frames, n in samples:
        found[_role(frames[0], serving)][_bucket(frames)] += n
    return {
        role: {
            "samples": sum(buckets.values()),
            "share": {b: n / sum(buckets.values()) for b, n in buckets.most_common()},
        }
        for role, buckets in sorted(found.items())
    }


def _role(thread: str, serving: set[str]) -> str:
    """``thread (1234): listener_3`` is one of Bolt's listener threads, and so on."""
    name = thread.partition(": ")[2]
    if thread in serving:
        return "request threads"
    if name.startswith("listener"):
        return "Bolt's listener pool"
    if name.startswith("delivery"):
        return "the delivery pool"
    return "other threads"


def _bucket(frames: list[str]) -> str:
    if not any("ThreadWorker.handle_request" in f or "_WorkItem.run" in f for f in frames):
        return "idle"
    for name, frame in BUCKETS:
        if any(frame in f for f in frames):
            return name
    return "other Python"


def render(profile: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for role, found in profile.items():
        lines.append(f"  {role} ({found['samples']} samples):")
        for bucket, share in found["share"].items():
            if share >= 0.005:
                lines.append(f"    {share:6.1%}  {bucket}")
    return lines
