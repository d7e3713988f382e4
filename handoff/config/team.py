"""The team's configuration: the defaults file, then the team's file over it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from handoff.config.reader import ConfigError
from handoff.config.sections import (
    parse_booking,
    parse_chasing,
    parse_crm,
    parse_digest,
    parse_disputes,
    parse_webhooks,
)
from handoff.policy import (
    DEFAULT_DIGEST,
    DEFAULT_POLICY,
    BookingRules,
    CrmRules,
    DigestPolicy,
    DisputeRules,
    Policy,
    WebhookRule,
)
from handoff.rubric import Choice, Rubric, RubricError, parse_rubric

CHOICE_LISTS = (
    "industries",
    "company_sizes",
    "regions",
    "contact_roles",
    "timing",
    "budget_status",
    "sources",
    "rejection_reasons",
    "next_steps_status",
    "intent_signals",
)
_KEY = re.compile(r"^[a-z0-9_]{1,50}$")
_LABEL_MAX = 75  # Slack's limit for an option's text


@dataclass(frozen=True)
class Config:
    rubric: Rubric
    choices: dict[str, tuple[Choice, ...]]
    policy: Policy = field(default=DEFAULT_POLICY)
    digest: DigestPolicy = field(default=DEFAULT_DIGEST)
    disputes: DisputeRules = field(default_factory=DisputeRules)
    booking: BookingRules = field(default_factory=BookingRules)
    crm: CrmRules = field(default_factory=CrmRules)
    webhooks: tuple[WebhookRule, ...] = ()

    @property
    def rubric_version(self) -> str:
        return self.rubric.version

    @property
    def pain_min_length(self) -> int:
        return self.rubric.pain_min_length

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


def load_config(path: str | Path | None = None, *more: str | Path) -> Config:
    """Read the defaults, then the team's file over them (then each of `more`, e.g. a
    proposed rubric over the team's file; errors name the last file).

    Tables merge key by key; a list, or a table of `key = "Label"` choices,
    replaces the default one whole, so a team can also remove choices.
    """
    data = _parse(default_config_text(), "default_config.toml")
    source = "default_config.toml"
    for each in (path, *more):
        if each is None:
            continue
        source = str(each)
        _merge(data, _parse(_read(each), source))
    return _build(data, source)


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start} is 0x{exc.object[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        current = base.get(key)
        if isinstance(value, dict) and isinstance(current, dict) and not _is_choices(current):
            _merge(current, value)
        else:
            base[key] = value


def _is_choices(table: dict[str, Any]) -> bool:
    return bool(table) and all(isinstance(v, str) for v in table.values())


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def _build(data: dict[str, Any], source: str) -> Config:
    if "qualification" in data:
        raise ConfigError(
            f"{source}: [qualification] is now [rubric] (version, bar, criteria); "
            "see docs/configuration.md"
        )
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
    try:
        rubric = parse_rubric(data.get("rubric", {}), choices)
    except RubricError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return Config(
        rubric=rubric,
        choices=choices,
        policy=parse_chasing(data.get("chasing", {}), source),
        digest=parse_digest(data.get("digest", {}), source),
        disputes=parse_disputes(data.get("disputes", {}), source),
        booking=parse_booking(data.get("booking", {}), source),
        crm=parse_crm(data.get("crm", {}), source),
        webhooks=parse_webhooks(data.get("webhooks", []), source),
    )
