"""Systems outside Slack the bot writes to: the CRM, other tools' webhooks."""
