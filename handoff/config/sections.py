"""The `[chasing]`, `[digest]` and `[disputes]` tables, read into the plain rules of
handoff/policy.py. Each bad value stops start-up with one line naming the file and key."""

from __future__ import annotations

import re

import holidays

from handoff.config.reader import ConfigError, TableReader
from handoff.policy import (
    WEBHOOK_EVENTS,
    BookingRules,
    CrmRules,
    DigestPolicy,
    DisputeRules,
    Policy,
    WebhookRule,
)

MAX_OUTCOME_CHASES = 10
MAX_DISPUTE_WINDOW_DAYS = 365

CHASING_KEYS = {
    "timezone",
    "workday",
    "working_days",
    "holiday_country",
    "holiday_subdivision",
    "response_sla_hours",
    "escalation_sla_days",
    "outcome_grace_hours",
    "outcome_chases",
    "quiet_hours",
}
DIGEST_KEYS = {
    "day",
    "time",
    "dm_managers",
    "top",
    "stale",
    "calibration_weeks",
    "calibration_min_sample",
    "score_bands",
    "rubber_stamp_min_decisions",
    "rubber_stamp_points",
    "coaching_min_rejections",
    "coaching_share",
}


def parse_chasing(table: object, source: str) -> Policy:
    reader = TableReader(table, source, "chasing", CHASING_KEYS)
    default = Policy()
    start, end = reader.clock_pair("workday", (default.workday_start, default.workday_end))
    if start is None or end is None or start >= end:
        raise reader.fail("workday", 'must be ["HH:MM", "HH:MM"], start first')
    quiet = reader.clock_pair("quiet_hours", (default.quiet_start, default.quiet_end))
    country = reader.text("holiday_country", default.holiday_country or "").upper() or None
    subdivision = reader.text("holiday_subdivision", "").upper() or None
    _check_holidays(country, subdivision, source)
    policy = Policy(
        timezone=reader.zone("timezone", default.timezone),
        workday_start=start,
        workday_end=end,
        working_days=reader.days("working_days", default.working_days),
        holiday_country=country,
        holiday_subdivision=subdivision,
        response_sla_hours=reader.number("response_sla_hours", default.response_sla_hours, 200),
        escalation_sla_days=reader.number("escalation_sla_days", default.escalation_sla_days, 30),
        outcome_grace_hours=reader.number(
            "outcome_grace_hours", default.outcome_grace_hours, 72, allow_zero=True
        ),
        outcome_chases=reader.whole(
            "outcome_chases", default.outcome_chases, 1, MAX_OUTCOME_CHASES
        ),
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )
    reader.reject_unknown()
    return policy


def _check_holidays(country: str | None, subdivision: str | None, source: str) -> None:
    supported = holidays.list_supported_countries()
    if country is None:
        if subdivision:
            raise ConfigError(f"{source}: chasing.holiday_subdivision needs a holiday_country")
        return
    if country not in supported:
        raise ConfigError(
            f"{source}: chasing.holiday_country {country!r} is not a country code the holidays "
            'library knows (ISO 3166, e.g. "US", "GB", "DE"; "" for none)'
        )
    if subdivision and subdivision not in supported[country]:
        raise ConfigError(
            f"{source}: chasing.holiday_subdivision {subdivision!r} is not a subdivision of "
            f"{country} (e.g. {', '.join(supported[country][:3])})"
        )


def parse_digest(table: object, source: str) -> DigestPolicy:
    reader = TableReader(table, source, "digest", DIGEST_KEYS)
    reader.reject_unknown()
    default = DigestPolicy()
    bands = reader.get("score_bands", list(default.score_bands))
    if (
        not isinstance(bands, list)
        or not 1 <= len(bands) <= 5
        or not all(isinstance(b, int) and not isinstance(b, bool) for b in bands)
        or not all(0 < b <= 100 for b in bands)
        or sorted(set(bands)) != bands
    ):
        raise reader.fail(
            "score_bands",
            "must be 1–5 rising scores between 1 and 100, "
            "e.g. [40, 70] for the bands 0–39, 40–69 and 70–100",
        )

    def whole(key: str, low: int, high: int) -> int:
        return reader.whole(key, getattr(default, key), low, high)

    return DigestPolicy(
        day=reader.day("day", default.day),
        at=reader.clock("time", default.at),
        dm_managers=reader.flag("dm_managers", default.dm_managers),
        top=whole("top", 1, 15),
        stale=whole("stale", 0, 10),
        calibration_weeks=whole("calibration_weeks", 1, 104),
        calibration_min_sample=whole("calibration_min_sample", 1, 1000),
        score_bands=tuple(bands),
        rubber_stamp_min_decisions=whole("rubber_stamp_min_decisions", 1, 1000),
        rubber_stamp_points=whole("rubber_stamp_points", 1, 100),
        coaching_min_rejections=whole("coaching_min_rejections", 1, 1000),
        # Above half, so at most one reason can dominate an SDR's rejections.
        coaching_share=whole("coaching_share", 51, 100),
    )


def parse_disputes(table: object, source: str) -> DisputeRules:
    reader = TableReader(table, source, "disputes", {"window_days"})
    reader.reject_unknown()
    days = reader.get("window_days", DisputeRules.window_days)
    if isinstance(days, bool) or not isinstance(days, int):
        raise reader.fail("window_days", "must be a whole number of days")
    if not 0 <= days <= MAX_DISPUTE_WINDOW_DAYS:
        raise reader.fail("window_days", f"must be 0 (no limit) to {MAX_DISPUTE_WINDOW_DAYS}")
    return DisputeRules(window_days=days)


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def parse_booking(table: object, source: str) -> BookingRules:
    reader = TableReader(table, source, "booking", {"remind_hours_before", "people"})
    reader.reject_unknown()
    hours = reader.whole("remind_hours_before", BookingRules.remind_hours_before, 0, 24 * 14)
    people = reader.get("people", {})
    if not isinstance(people, dict):
        raise reader.fail("people", 'must be a table of "email" = "U012AB3CD"')
    mapped = {}
    for email, user in people.items():
        if not EMAIL.match(str(email)) or not isinstance(user, str) or not USER_ID.match(user):
            raise reader.fail(
                f"people.{email}", 'must map an email to a Slack user ID like "U012AB3CD"'
            )
        mapped[str(email).lower()] = user
    return BookingRules(remind_hours_before=hours, people=mapped)


_CRM_KEYS = {"deal_pipeline", "deal_stage", "opportunity_stage", "reject_note", "meeting_minutes"}


def parse_crm(table: object, source: str) -> CrmRules:
    """`[crm.hubspot]`: a deal needs both its pipeline and its first stage."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [crm] must be a table")
    unknown = set(table) - {"hubspot"}
    if unknown:
        raise ConfigError(f"{source}: [crm.{sorted(unknown)[0]}] is not a CRM the bot knows")
    reader = TableReader(table.get("hubspot", {}), source, "crm.hubspot", _CRM_KEYS)
    reader.reject_unknown()
    rules = CrmRules(
        deal_pipeline=reader.text("deal_pipeline", ""),
        deal_stage=reader.text("deal_stage", ""),
        opportunity_stage=reader.text("opportunity_stage", ""),
        reject_note=reader.flag("reject_note", CrmRules.reject_note),
        meeting_minutes=reader.whole("meeting_minutes", CrmRules.meeting_minutes, 5, 480),
    )
    if rules.deal_pipeline and not rules.deal_stage:
        raise reader.fail("deal_stage", "is needed with deal_pipeline (the new deal's stage id)")
    return rules


_WEBHOOK_KEYS = {"name", "url", "events", "secret", "secret_env"}
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


def parse_webhooks(items: object, source: str) -> tuple[WebhookRule, ...]:
    """`[[webhooks]]`: each an https (or local http) URL, known events, and one secret."""
    if not isinstance(items, list):
        raise ConfigError(f"{source}: webhooks must be [[webhooks]] entries")
    rules: list[WebhookRule] = []
    for n, item in enumerate(items, start=1):
        reader = TableReader(item, source, f"webhooks[{n}]", _WEBHOOK_KEYS)
        reader.reject_unknown()
        name = reader.table.get("name", f"webhook-{n}")
        if not isinstance(name, str) or not _NAME.match(name):
            raise reader.fail("name", "must be 1–64 letters, digits, _ . or -")
        url = reader.table.get("url")
        if not isinstance(url, str) or len(url) > 500 or not _webhook_url(url):
            raise reader.fail("url", "must be an https:// URL (http:// only for localhost)")
        events = reader.table.get("events")
        if not isinstance(events, list) or not events or not set(events) <= set(WEBHOOK_EVENTS):
            raise reader.fail("events", f"must list some of {', '.join(WEBHOOK_EVENTS)}")
        secret, env = reader.table.get("secret", ""), reader.table.get("secret_env", "")
        if not isinstance(secret, str) or not isinstance(env, str) or bool(secret) == bool(env):
            raise reader.fail("secret", "or secret_env (an environment variable's name): one")
        if secret and len(secret) < 16:
            raise reader.fail("secret", "must be at least 16 characters")
        if env and not _ENV_NAME.match(env):
            raise reader.fail("secret_env", "must be an environment variable's name")
        if any(r.name == name for r in rules):
            raise reader.fail("name", f"{name!r} is given twice")
        rules.append(WebhookRule(name, url, tuple(dict.fromkeys(events)), secret, env))
    return tuple(rules)


def _webhook_url(url: str) -> bool:
    if url.startswith("https://"):
        return len(url) > len("https://")
    return bool(re.match(r"^http://(localhost|127\.0\.0\.1)(:\d+)?(/|$)", url))
