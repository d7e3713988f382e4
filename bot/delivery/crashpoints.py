"""Named points between a commit and Slack where the process may die, for crash tests.

`HANDOFF_CRASH_AT=<point>` makes the process kill itself (SIGKILL, like `kill -9`) the
first time it reaches that point; unset, this costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

VARIABLE = "HANDOFF_CRASH_AT"
POINTS = ("after_commit", "after_claim", "after_send")


def crash_at(point: str) -> None:
    if os.environ.get(VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)
