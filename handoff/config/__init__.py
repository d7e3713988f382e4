"""Team configuration: the choices and rules that live in TOML, not in code."""

from handoff.config.reader import ConfigError
from handoff.config.team import Config, default_config_text, load_config
from handoff.rubric import Choice

__all__ = ["Choice", "Config", "ConfigError", "default_config_text", "load_config"]
