"""Team configuration: the choices and rules that live in TOML, not in code."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from handoff.policy import DEFAULT_POLICY, Policy

CHOICE_LISTS = (
    "industries",
    "company_sizes",
    "regions",
    "contact_roles",
    "timing",
    "budget_status",
    "sources",
    "rejection_reasons",
)
_KEY = re.compile(r"^[a-z0-9_]{1,50}$")
_LABEL_MAX = 75  # Slack's limit for an option's text


class ConfigError(ValueError):
    """A configuration file is unreadable or says something impossible."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Config:
    rubric_version: str
    pain_min_length: int
    choices: dict[str, tuple[Choice, ...]]
    policy: Policy = field(default=DEFAULT_POLICY)

    def label(self, kind: str, value: str | None) -> str:
        """The label people see for a stored value; the value itself if it was removed."""
        if value is None:
            return ""
        for choice in self.choices.get(kind, ()):
            if choice.value == value:
                return choice.label
        return value

    def has(self, kind: str, value: str | None) -> bool:
        return any(c.value == value for c in self.choices.get(kind, ()))


def default_config_text() -> str:
    return resources.files("handoff").joinpath("default_config.toml").read_text("utf-8")


def load_config(path: str | Path | None = None) -> Config:
    """Read the defaults, then the team's file over them (whole lists replace whole lists)."""
    data = _parse(default_config_text(), "default_config.toml")
    source = "default_config.toml"
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read the file ({exc.strerror})") from None
        overrides = _parse(text, source)
        for section, values in overrides.items():
            if section == "choices" and isinstance(values, dict):
                data["choices"].update(values)
            elif isinstance(values, dict) and isinstance(data.get(section), dict):
                data[section].update(values)
            else:
                data[section] = values
    return _build(data, source)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def _build(data: dict[str, Any], source: str) -> Config:
    qual = data.get("qualification", {})
    if not isinstance(qual, dict):
        raise ConfigError(f"{source}: [qualification] must be a table")
    version = qual.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 40:
        raise ConfigError(f"{source}: qualification.version must be a short non-empty string")
    pain_min = qual.get("pain_min_length", 20)
    if not isinstance(pain_min, int) or isinstance(pain_min, bool) or not 0 <= pain_min <= 1000:
        raise ConfigError(f"{source}: qualification.pain_min_length must be a whole number 0–1000")

    raw_choices = data.get("choices", {})
    choices: dict[str, tuple[Choice, ...]] = {}
    for kind in CHOICE_LISTS:
        table = raw_choices.get(kind)
        where = f"{source}: choices.{kind}"
        if not isinstance(table, dict) or not table:
            raise ConfigError(f'{where} must be a table of key = "Label" lines')
        if len(table) > 100:
            raise ConfigError(f"{where} has {len(table)} choices; Slack menus allow 100")
        items = []
        for key, label in table.items():
            if not _KEY.match(key):
                raise ConfigError(
                    f"{where}.{key}: keys use lowercase letters, digits and _ (50 at most)"
                )
            if not isinstance(label, str) or not label.strip() or len(label) > _LABEL_MAX:
                raise ConfigError(f"{where}.{key}: the label must be text of 1–75 characters")
            items.append(Choice(key, label.strip()))
        choices[kind] = tuple(items)
    unknown = set(raw_choices) - set(CHOICE_LISTS)
    if unknown:
        raise ConfigError(f"{source}: choices.{sorted(unknown)[0]} is not a known list")
    return Config(
        rubric_version=version.strip(),
        pain_min_length=pain_min,
        choices=choices,
        policy=Policy.parse(data.get("chasing", {}), source),
    )
