"""The `handoff` command as an operator runs it: a subprocess importing this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDOFF = [sys.executable, "-m", "bot.entrypoints.cli"]


def cli_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment with `env` on top, and the checkout on PYTHONPATH."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **env}


def run_handoff(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        HANDOFF + args, env=cli_env(env), cwd=cwd, capture_output=True, text=True, timeout=60
    )


def run_handoff_each(
    commands: list[list[str]], env: dict[str, str], cwd: Path
) -> list[subprocess.CompletedProcess[str]]:
    """Several commands at once (most of each run is starting Python); results in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: run_handoff(args, env, cwd), commands))
