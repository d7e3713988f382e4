"""A Bolt app that only acks: the floor the ack benchmark compares the real app with.

Served by gunicorn with the real app's settings (bench/ack.py starts it):

    SLACK_SIGNING_SECRET=… gunicorn -k gthread -w 2 --threads 8 bench.bare_app:wsgi

It verifies signatures like the real app and answers every slash command, block action and
view submission with an empty ack, and nothing else: no database, and no Web API call but
the one ``auth.test`` each worker makes to learn who it is (to ``SLACK_API_URL``).
"""

from __future__ import annotations

import os
import re

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

ANY = re.compile(".*")

app = App(
    client=WebClient(token="xoxb-bench-bare", base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token_verification_enabled=False,
    # As the real app: listeners run on Bolt's pool and the request thread waits for ack().
    process_before_response=False,
)


@app.command(ANY)
def command(ack: Ack) -> None:
    ack()


@app.action(ANY)
def action(ack: Ack) -> None:
    ack()


@app.view(ANY)
def view(ack: Ack) -> None:
    ack()


# The WSGI callable gunicorn serves.
wsgi = SlackRequestHandler(app, path="/slack/events")
