"""A local stand-in for Slack: the Web API over HTTP, Block Kit checks, and signed inbound traffic.

Used by the test suite and the offline demo. Only the standard library and slack_sdk, except
Socket Mode (``SocketModeStandIn``), whose server needs ``websockets`` when it starts.
"""

from .blockkit import check_blocks, check_view
from .client import PayloadSender, Reply, SlackSender, ViewOutcome
from .records import Call
from .server import SlackStandIn
from .socketmode import Ack, SocketModeSender, SocketModeStandIn

__all__ = [
    "Ack",
    "Call",
    "PayloadSender",
    "Reply",
    "SlackSender",
    "SlackStandIn",
    "SocketModeSender",
    "SocketModeStandIn",
    "ViewOutcome",
    "check_blocks",
    "check_view",
]
