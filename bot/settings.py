"""Settings from the environment (and `.env`), checked once at start-up.

A bad value stops start-up with one line naming the variable and the fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from handoff.config import Config, ConfigError, load_config

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_HUBSPOT_API_URL = "https://api.hubapi.com"
DEFAULT_DATABASE_URL = "sqlite:///handoff.db"
MAX_MANAGERS = 8  # conversations.open takes 1 to 8 users
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


MASK = "***"
# Settings that are secrets whole, and URLs that may carry one (a password).
_SECRETS = (
    "bot_token",
    "signing_secret",
    "app_token",
    "calendly_signing_key",
    "calcom_webhook_secret",
    "booking_webhook_secret",
    "chilipiper_webhook_token",
    "hubspot_client_secret",
    "hubspot_access_token",
    "metrics_token",
)
_URLS = ("database_url", "api_url", "hubspot_api_url")


@dataclass(frozen=True)
class Webhook:
    """An outgoing webhook of the team's TOML, its secret read (docs/crm.md)."""

    name: str
    url: str
    events: tuple[str, ...]
    secret: str = field(repr=False)


class SettingsError(ValueError):
    """One line for the operator: which setting is wrong and how to fix it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    port: int
    ae_channel: str | None
    digest_channel: str | None
    managers: tuple[str, ...]
    config_path: str | None
    config: Config = field(repr=False)
    # Who sees "Briefs waiting for an AE" on Home; empty: guessed (bot/delivery/home_updates.py).
    aes: tuple[str, ...] = ()
    # Seconds a Web API call may take before the client gives up (a read timeout).
    api_timeout: int = 10
    # Booking tools' webhook secrets (docs/booking.md); an endpoint without one answers 404.
    calendly_signing_key: str | None = None
    calcom_webhook_secret: str | None = None
    booking_webhook_secret: str | None = None
    chilipiper_webhook_token: str | None = None  # the secret part of Chili Piper's URL
    hubspot_client_secret: str | None = None  # the app's client secret: signs its requests
    # The public base URL (https://handoff.example.com): HubSpot signs the URL it called.
    public_url: str | None = None
    # A HubSpot private app's token: accepted handoffs are written to HubSpot (docs/crm.md).
    hubspot_access_token: str | None = None
    hubspot_api_url: str = DEFAULT_HUBSPOT_API_URL
    # [[webhooks]] with their secrets (from the TOML, or the environment variable it names).
    webhooks: tuple[Webhook, ...] = field(default=(), repr=False)
    # "json" or "text"; None: JSON for `serve` and `worker`, text for the other commands.
    log_format: str | None = None
    # A bearer token GET /metrics asks for; None: it answers anyone who can reach it.
    metrics_token: str | None = None
    # Where `handoff worker` (and Socket Mode) serve GET /metrics: they have no web server.
    # 0: nowhere.
    metrics_port: int = 9464
    # The folder gunicorn's processes share their metrics through (a fresh one if None).
    metrics_dir: str | None = None
    # /readyz fails when a due outbox row has waited longer than this many seconds.
    ready_outbox_age: int = 600

    def __repr__(self) -> str:
        # Settings end up in logs, tracebacks and test reports: never with a secret in them.
        shown = []
        for f in fields(self):
            if not f.repr:
                continue
            value = getattr(self, f.name)
            if f.name in _SECRETS and value is not None:
                value = mask_token(value)
            elif f.name in _URLS:
                value = mask_url(value)
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__

    @property
    def has_slack(self) -> bool:
        return bool(self.bot_token)

    def require_slack(self) -> None:
        """Serving Slack needs credentials and somewhere to post briefs."""
        if not self.bot_token:
            raise SettingsError("SLACK_BOT_TOKEN is not set: add the bot token (xoxb-…) to .env")
        if not self.app_token and not self.signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page"
            )
        if not self.ae_channel:
            raise SettingsError(
                "HANDOFF_AE_CHANNEL is not set: give the channel ID (C…) where briefs go"
            )


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    if env is None:
        if dotenv:
            _read_dotenv()
        env = os.environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")

    api_url = get("SLACK_API_URL") or DEFAULT_API_URL
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"

    timeout_text = get("SLACK_API_TIMEOUT") or "10"
    if not timeout_text.isdigit() or not 1 <= int(timeout_text) <= 300:
        raise SettingsError(
            f"SLACK_API_TIMEOUT must be whole seconds from 1 to 300, got {timeout_text!r}"
        )
    api_timeout = int(timeout_text)

    port_text = get("PORT") or "3000"
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise SettingsError(f"PORT must be a number from 1 to 65535, got {port_text!r}")

    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not re.match(r"^(sqlite|postgres|postgresql)(\+\w+)?://", database_url):
        raise SettingsError(
            "DATABASE_URL must start with sqlite:/// or postgresql:// "
            f"(got {database_url.split(':', 1)[0]!r})"
        )

    ae_channel = _channel(get("HANDOFF_AE_CHANNEL"), "HANDOFF_AE_CHANNEL")
    digest_channel = _channel(get("HANDOFF_DIGEST_CHANNEL"), "HANDOFF_DIGEST_CHANNEL")

    managers = tuple(m.strip() for m in (get("HANDOFF_MANAGERS") or "").split(",") if m.strip())
    for manager in managers:
        if not _USER_ID.match(manager):
            raise SettingsError(
                f"HANDOFF_MANAGERS must be comma-separated user IDs like U012AB3CD, got {manager!r}"
            )
    if len(managers) > MAX_MANAGERS:
        raise SettingsError(
            f"HANDOFF_MANAGERS names {len(managers)} people; escalations go to one group DM, "
            f"which Slack allows for at most {MAX_MANAGERS}"
        )

    aes = tuple(a.strip() for a in (get("HANDOFF_AES") or "").split(",") if a.strip())
    for ae in aes:
        if not _USER_ID.match(ae):
            raise SettingsError(
                f"HANDOFF_AES must be comma-separated user IDs like U012AB3CD, got {ae!r}"
            )

    log_format = (get("LOG_FORMAT") or "").lower() or None
    if log_format not in (None, "json", "text"):
        raise SettingsError(f"LOG_FORMAT must be json or text, got {get('LOG_FORMAT')!r}")
    metrics_port = _whole("HANDOFF_METRICS_PORT", get("HANDOFF_METRICS_PORT"), 9464, 0, 65535)
    ready_outbox_age = _whole(
        "HANDOFF_READY_OUTBOX_AGE", get("HANDOFF_READY_OUTBOX_AGE"), 600, 1, 7 * 24 * 3600
    )

    config_path = get("HANDOFF_CONFIG")
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise SettingsError(f"HANDOFF_CONFIG: {exc}") from None

    return Settings(
        bot_token=bot_token,
        signing_secret=get("SLACK_SIGNING_SECRET"),
        app_token=app_token,
        api_url=api_url,
        database_url=database_url,
        port=int(port_text),
        ae_channel=ae_channel,
        digest_channel=digest_channel,
        managers=managers,
        config_path=config_path,
        config=config,
        aes=aes,
        api_timeout=api_timeout,
        calendly_signing_key=get("CALENDLY_WEBHOOK_SIGNING_KEY"),
        calcom_webhook_secret=get("CALCOM_WEBHOOK_SECRET"),
        booking_webhook_secret=get("HANDOFF_BOOKING_WEBHOOK_SECRET"),
        chilipiper_webhook_token=_path_token(get("CHILIPIPER_WEBHOOK_TOKEN")),
        hubspot_client_secret=get("HUBSPOT_CLIENT_SECRET"),
        public_url=_public_url(get("HANDOFF_PUBLIC_URL")),
        hubspot_access_token=get("HUBSPOT_ACCESS_TOKEN"),
        hubspot_api_url=_hubspot_api_url(get("HUBSPOT_API_URL")),
        webhooks=_webhooks(config, get),
        log_format=log_format,
        metrics_token=get("HANDOFF_METRICS_TOKEN"),
        metrics_port=metrics_port,
        metrics_dir=get("PROMETHEUS_MULTIPROC_DIR"),
        ready_outbox_age=ready_outbox_age,
    )


def _whole(name: str, text: str | None, default: int, low: int, high: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {text!r}")
    return int(text)


def mask_token(token: str) -> str:
    """A token's kind (xoxb-, xapp-) and nothing of its secret part."""
    kind = re.match(r"^(xox[a-z]|xapp)-", token)
    return (kind.group(0) if kind else "") + MASK


def mask_url(url: str) -> str:
    """`url` with the password in its user part, or in a `password=` parameter, masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    user, at, host = parts.netloc.rpartition("@")
    if at and ":" in user:
        url = url.replace(parts.netloc, f"{user.split(':', 1)[0]}:{MASK}@{host}", 1)
    if parts.query:
        pairs = parts.query.split("&")
        hidden = [
            f"{p.split('=', 1)[0]}={MASK}" if p.lower().startswith("password=") else p
            for p in pairs
        ]
        url = url.replace(parts.query, "&".join(hidden), 1)
    return url


def _path_token(value: str | None) -> str | None:
    """Chili Piper signs nothing: the token in its URL is the only proof, so it must be long
    and URL-safe."""
    if value is None:
        return None
    if len(value) < 32 or not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise SettingsError(
            "CHILIPIPER_WEBHOOK_TOKEN must be at least 32 letters, digits, - or _ "
            "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return value


def _base_url(value: str, name: str, like: str) -> str:
    """An http(s) URL with a host and no query, without its trailing slash."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise SettingsError(f"{name} must be a base URL like {like}, got {value!r}")
    return value.rstrip("/")


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    return _base_url(value, "HANDOFF_PUBLIC_URL", "https://handoff.example.com")


def _webhooks(config: Config, get: Callable[[str], str | None]) -> tuple[Webhook, ...]:
    hooks = []
    for rule in config.webhooks:
        secret = rule.secret or get(rule.secret_env)
        if not secret:
            raise SettingsError(
                f"{rule.secret_env} is not set: [[webhooks]] {rule.name!r} reads its secret "
                "from it (a long random string the receiver checks signatures with)"
            )
        hooks.append(Webhook(rule.name, rule.url, rule.events, secret))
    return tuple(hooks)


def _hubspot_api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_HUBSPOT_API_URL
    return _base_url(value, "HUBSPOT_API_URL", DEFAULT_HUBSPOT_API_URL)


def _channel(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if value.startswith("#") or not _CHANNEL_ID.match(value):
        raise SettingsError(
            f"{name} must be a channel ID like C012AB3CD (in Slack: channel details → "
            f"copy the ID at the bottom), got {value!r}"
        )
    return value


def _read_dotenv() -> None:
    from dotenv import load_dotenv

    path = Path.cwd() / ".env"
    if path.is_file():
        load_dotenv(path, override=False)
