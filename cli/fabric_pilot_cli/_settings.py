"""Settings resolved once per command: flag > FABRIC_PILOT_* environment > config file > default.

The config file is YAML (``~/.config/fabric-pilot/config.yaml``, or ``FABRIC_PILOT_CONFIG``);
``fabric-pilot use`` writes the current context (org, user, network folder) into it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEFAULT_DIR",
    "ENV_PREFIX",
    "OUTPUT_FORMATS",
    "ConfigFileError",
    "Settings",
    "config_path",
    "read_config",
    "resolve_settings",
    "write_config",
]

ENV_PREFIX = "FABRIC_PILOT_"
DEFAULT_DIR = Path(".fabric-pilot") / "network"
OUTPUT_FORMATS = ("table", "json")
_TRUE = {"1", "true", "yes", "on"}


class ConfigFileError(ValueError):
    """The config file cannot be read or is not a YAML mapping."""


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where and as whom it acts."""

    directory: Path = DEFAULT_DIR
    org: str | None = None
    user: str | None = None
    channel: str | None = None
    output: str = "table"
    debug: bool = False
    fabric_bin: Path | None = None
    config_file: Path = Path("config.yaml")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            field.name: (str(value) if isinstance(value, Path) else value)
            for field in fields(self)
            for value in [getattr(self, field.name)]
        }


def config_path(environ: Mapping[str, str]) -> Path:
    """Where the config file lives (``FABRIC_PILOT_CONFIG`` overrides the default)."""
    override = environ.get(ENV_PREFIX + "CONFIG")
    if override:
        return Path(override).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fabric-pilot" / "config.yaml"


def read_config(path: Path) -> dict[str, Any]:
    """The config file as a dict ({} when it does not exist).

    Raises:
        ConfigFileError: the file is unreadable or not a mapping.
    """
    if not path.exists():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError(f"cannot read config file {path}: {exc}") from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigFileError(f"config file {path} must be a YAML mapping")
    return document


def write_config(path: Path, updates: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``updates`` into the config file (a None value removes the key)."""
    document = read_config(path)
    for key, value in updates.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(yaml.safe_dump(document, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return document


def _pick(
    key: str, flags: Mapping[str, Any], environ: Mapping[str, str], config: Mapping[str, Any]
) -> Any:
    if flags.get(key) is not None:
        return flags[key]
    env_value = environ.get(ENV_PREFIX + key.upper())
    if env_value:
        return env_value
    return config.get(key)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def resolve_settings(
    flags: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve every setting from ``flags`` (None = not given), environment, file, defaults.

    Raises:
        ConfigFileError: the config file is broken, or ``output`` is not table/json.
    """
    env = os.environ if environ is None else environ
    path = config_path(env)
    config = read_config(path)
    values = {key: _pick(key, flags, env, config) for key in _KEYS}
    output = str(values["output"] or "table")
    if output not in OUTPUT_FORMATS:
        raise ConfigFileError(f"output must be table or json, not {output!r}")
    return Settings(
        directory=_path(values["dir"]) or DEFAULT_DIR,
        org=values["org"] or None,
        user=values["user"] or None,
        channel=values["channel"] or None,
        output=output,
        debug=_as_bool(values["debug"]) if values["debug"] is not None else False,
        fabric_bin=_path(values["fabric_bin"]),
        config_file=path,
    )


def _path(value: Any) -> Path | None:
    return Path(str(value)).expanduser() if value else None


_KEYS = ("dir", "org", "user", "channel", "output", "debug", "fabric_bin")
