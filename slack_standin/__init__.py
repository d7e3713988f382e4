"""A local stand-in for Slack: the Web API over HTTP, Block Kit checks, and signed inbound traffic.

Used by the test suite and the offline demo. Only the standard library and slack_sdk.
"""

from .blockkit import check_blocks, check_view
from .client import Reply, SlackSender, ViewOutcome
from .records import Call
from .server import SlackStandIn

__all__ = [
    "Call",
    "Reply",
    "SlackSender",
    "SlackStandIn",
    "ViewOutcome",
    "check_blocks",
    "check_view",
]
