"""Jinja2 templates that render Slack Block Kit JSON."""
