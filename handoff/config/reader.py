"""Reading one TOML table: typed values, each bad one reported as one line naming the key.

A leaf module: the domain's plain dataclasses never import it, the section parsers do.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ConfigError(ValueError):
    """A configuration file is unreadable or says something impossible."""


class TableReader:
    """The values of `[section]` in `source`; every error names `section.key` and the file."""

    def __init__(self, table: object, source: str, section: str, known: set[str]) -> None:
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        self.table: dict[str, Any] = table
        self.source, self.section, self.known = source, section, known

    def fail(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.section}.{key} {what}")

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.table) - self.known)
        if unknown:
            raise self.fail(unknown[0], "is not a known setting")

    def get(self, key: str, default: Any) -> Any:
        return self.table.get(key, default)

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

    def whole(self, key: str, default: int, low: int, high: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number {low}–{high}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def day(self, key: str, default: int) -> int:
        value = self.table.get(key, DAYS[default])
        if not isinstance(value, str) or value.lower()[:3] not in DAYS:
            raise self.fail(key, f"must be one of {', '.join(DAYS)}, got {value!r}")
        return DAYS.index(value.lower()[:3])

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

    def clock(self, key: str, default: time) -> time:
        value = self.table.get(key, default.strftime("%H:%M"))
        if not isinstance(value, str) or not _CLOCK.match(value):
            raise self.fail(key, 'must be a 24-hour time like "09:00"')
        return time.fromisoformat(value)

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
