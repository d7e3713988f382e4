"""Metrics across gunicorn's processes: each writes its values to files in one folder, and
whichever worker answers a scrape adds them up (prometheus_client's multiprocess mode).

The folder must be chosen before prometheus_client is first imported, so this module does
not import it at the top.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(folder: str | None) -> str:
    """Use `folder` (or a new one) for this server's metrics, emptied of an earlier run's
    files: values of processes that are gone would otherwise be added to the new ones."""
    path = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="handoff-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink()
    if "prometheus_client" in sys.modules:
        # Its values were set up for one process already: the workers' would not add up.
        raise RuntimeError("prometheus_client was imported before the metrics folder was set")
    os.environ[ENV] = str(path)
    return str(path)


def remove_if_ours(folder: str, given: str | None) -> None:
    """At the server's exit: a folder `prepare` made (not one the operator gave) goes."""
    if not given:
        shutil.rmtree(folder, ignore_errors=True)


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def worker_exited(_server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a dead worker's gauges stop counting as live."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
