"""Domain of the handoff bot: qualification, lifecycle and their rules.

Nothing here imports Slack, Jinja or SQL: plain dataclasses in and out.
"""
