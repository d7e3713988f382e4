"""Chasing policy: SLAs, business hours, holidays and quiet hours, read from `[chasing]`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_OUTCOME_CHASES = 10


@dataclass(frozen=True)
class Policy:
    timezone: str = "America/New_York"
    workday_start: time = time(9, 0)
    workday_end: time = time(17, 0)
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    holiday_country: str | None = "US"
    holiday_subdivision: str | None = None
    response_sla_hours: float = 2.0
    escalation_sla_days: float = 1.0
    outcome_grace_hours: float = 2.0
    outcome_chases: int = 3
    quiet_start: time | None = time(19, 0)
    quiet_end: time | None = time(8, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def parse(cls, table: object, source: str) -> Policy:
        """A Policy from the `[chasing]` table; a bad value names the file and the key."""
        if not isinstance(table, dict):
            raise _error(f"{source}: [chasing] must be a table")
        reader = _Reader(table, source)
        default = cls()
        start, end = reader.clock_pair("workday", (default.workday_start, default.workday_end))
        if start is None or end is None or start >= end:
            raise _error(f'{source}: chasing.workday must be ["HH:MM", "HH:MM"], start first')
        quiet = reader.clock_pair("quiet_hours", (default.quiet_start, default.quiet_end))
        country = reader.text("holiday_country", default.holiday_country or "").upper() or None
        subdivision = reader.text("holiday_subdivision", "").upper() or None
        _check_holidays(country, subdivision, source)
        policy = cls(
            timezone=reader.zone("timezone", default.timezone),
            workday_start=start,
            workday_end=end,
            working_days=reader.days("working_days", default.working_days),
            holiday_country=country,
            holiday_subdivision=subdivision,
            response_sla_hours=reader.number("response_sla_hours", default.response_sla_hours, 200),
            escalation_sla_days=reader.number(
                "escalation_sla_days", default.escalation_sla_days, 30
            ),
            outcome_grace_hours=reader.number(
                "outcome_grace_hours", default.outcome_grace_hours, 72, allow_zero=True
            ),
            outcome_chases=reader.whole("outcome_chases", default.outcome_chases),
            quiet_start=quiet[0],
            quiet_end=quiet[1],
        )
        reader.reject_unknown()
        return policy


DEFAULT_POLICY = Policy()


class _Reader:
    def __init__(self, table: dict[str, Any], source: str) -> None:
        self.table, self.source = table, source
        self.known = {
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

    def fail(self, key: str, what: str) -> Exception:
        return _error(f"{self.source}: chasing.{key} {what}")

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.table) - self.known)
        if unknown:
            raise self.fail(unknown[0], "is not a known setting")

    def text(self, key: str, default: str) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or len(value) > 64:
            raise self.fail(key, "must be a short text")
        return value.strip()

    def zone(self, key: str, default: str) -> str:
        name = self.text(key, default)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            problem = f'must be an IANA time zone like "Europe/Berlin", got {name!r}'
            raise self.fail(key, problem) from None
        return name

    def number(self, key: str, default: float, top: float, *, allow_zero: bool = False) -> float:
        value = self.table.get(key, default)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not (value >= 0 if allow_zero else value > 0):
            raise self.fail(key, f"must be a number {'0' if allow_zero else 'above 0'}–{top:g}")
        if value > top:
            raise self.fail(key, f"must be at most {top:g}")
        return float(value)

    def whole(self, key: str, default: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number 1–{MAX_OUTCOME_CHASES}")
        if not 1 <= value <= MAX_OUTCOME_CHASES:
            raise self.fail(key, f"must be a whole number 1–{MAX_OUTCOME_CHASES}")
        return value

    def days(self, key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = self.table.get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not value:
            raise self.fail(key, 'must be a list like ["mon", "tue", "wed", "thu", "fri"]')
        picked = set()
        for day in value:
            if not isinstance(day, str) or day.lower()[:3] not in DAYS:
                raise self.fail(key, f"has {day!r}; use mon, tue, wed, thu, fri, sat, sun")
            picked.add(DAYS.index(day.lower()[:3]))
        return tuple(sorted(picked))

    def clock_pair(
        self, key: str, default: tuple[time | None, time | None]
    ) -> tuple[time | None, time | None]:
        value = self.table.get(key)
        if value is None:
            return default
        if value == []:
            return None, None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, str) and _CLOCK.match(v) for v in value)
        ):
            raise self.fail(key, 'must be two 24-hour times like ["09:00", "17:00"] (or [])')
        first, second = (time.fromisoformat(v) for v in value)
        if first == second:
            raise self.fail(key, "must start and end at different times")
        return first, second


def _check_holidays(country: str | None, subdivision: str | None, source: str) -> None:
    supported = holidays.list_supported_countries()
    if country is None:
        if subdivision:
            raise _error(f"{source}: chasing.holiday_subdivision needs a holiday_country")
        return
    if country not in supported:
        raise _error(
            f"{source}: chasing.holiday_country {country!r} is not a country code the holidays "
            'library knows (ISO 3166, e.g. "US", "GB", "DE"; "" for none)'
        )
    if subdivision and subdivision not in supported[country]:
        raise _error(
            f"{source}: chasing.holiday_subdivision {subdivision!r} is not a subdivision of "
            f"{country} (e.g. {', '.join(supported[country][:3])})"
        )


def _error(message: str) -> Exception:
    # Imported here: handoff.config imports this module for its default policy.
    from handoff.config import ConfigError

    return ConfigError(message)
