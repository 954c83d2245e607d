"""The site's configuration: one organet.toml, overridable from ``ORGANET_*`` environment variables.

The core declares its own settings below, in the same form as plugins declare theirs, so
that one validator and one generated reference (docs/configuration.md) serve both.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from organet.errors import ConfigError
from organet.types import Setting

ENV_PREFIX = "ORGANET_"

SITE_SETTINGS: tuple[Setting, ...] = (
    Setting("name", str, "organet", "The site's name, shown in the header and in mails.",
            example="Intranet Zorggroep Rivierenland"),
    Setting("secret_key", str, None,
            "A long random string that signs tokens and encrypts second-step secrets. Keep it secret, apart "
            "from the database's backups; changing it signs everyone out and makes second steps unreadable.",
            example="run `organet init` to make one", secret=True, required=True),
    Setting("database_url", str, "sqlite:///organet.db",
            "SQLAlchemy URL of the database. A relative SQLite path is relative to organet.toml.",
            example="postgresql+psycopg://organet@127.0.0.1:5432/organet"),
    Setting("redis_url", str, "", "Redis URL for caches, rate limits and live updates (optional).",
            example="redis://127.0.0.1:6379/0"),
    Setting("base_url", str, "http://127.0.0.1:8000", "The address people use, for links in mails.",
            example="https://intranet.zorggroep.example"),
    Setting("time_zone", str, "Europe/Amsterdam", "Time zone for people who did not choose one.",
            example="Europe/Amsterdam"),
    Setting("language", str, "nl", "Language for people who did not choose one.", example="en",
            choices=("nl", "en")),
    Setting("media_dir", str, "media", "Folder for uploaded files, shared by all workers.",
            example="/srv/organet/media"),
    Setting("templates_dir", str, "", "Folder with the site's template overrides (optional).",
            example="templates"),
    Setting("debug", bool, False, "Log more; never on a production site.", example=False),
    Setting("request_threads", int, 0,
            "Requests one worker process works on at once (in threads). 0 chooses: 2 on SQLite, where "
            "threads only wait for each other, 40 on PostgreSQL, where they overlap waiting for the database.",
            example=0, minimum=0, maximum=200),
    Setting("pin_workers_to_cpus", bool, False,
            "Keep each worker process of `organet serve` on a CPU of its own (Linux), so that its request "
            "threads share that CPU's caches: a quarter more pages a second. For a machine or VM that runs "
            "organet's workers itself; not in containers without their own CPU set (see deployment.md).",
            example=False),
    Setting("run_jobs_in_server", bool, True,
            "Let `organet serve` run background jobs too, so a one-process site needs no worker.",
            example=True),
)

MAIL_SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "", "SMTP server. Empty: mail is queued but not sent.", example="smtp.zorg.example"),
    Setting("port", int, 25, "SMTP port.", example=587, minimum=1, maximum=65535),
    Setting("username", str, "", "SMTP user name (optional).", example="intranet"),
    Setting("password", str, "", "SMTP password (optional).", example="...", secret=True),
    Setting("starttls", bool, False, "Use STARTTLS.", example=True),
    Setting("sender", str, "intranet@localhost", "The From address of every mail.",
            example="intranet@zorg.example"),
)

CORE_SECTIONS: dict[str, tuple[Setting, ...]] = {"site": SITE_SETTINGS, "mail": MAIL_SETTINGS}

_TYPE_WORDS = {str: "a text in quotes", int: "a whole number", float: "a number",
               bool: "true or false", list: "a list of texts"}


def describe_type(kind: type) -> str:
    """Return how a person would write a value of ``kind`` in TOML ("a whole number")."""
    return _TYPE_WORDS.get(kind, kind.__name__)


def toml_literal(value: Any) -> str:
    """Return ``value`` written as TOML, for examples in messages and docs."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    return str(value)


def coerce(setting: Setting, value: Any, where: str) -> Any:
    """Check ``value`` against ``setting`` and return it in the declared type.

    Strings from the environment are converted ("30" to 30, "true" to True, "a,b" to a list).
    Raises :class:`ConfigError` naming ``where`` (file and section), the key and the fix.
    """
    fix = f"Use {describe_type(setting.type)}, for example: {setting.key} = {toml_literal(setting.example)}"
    shown = "(hidden)" if setting.secret else toml_literal(value)
    bad = ConfigError(f"{where} {setting.key} = {shown} is not {describe_type(setting.type)}.\n{fix}")
    if isinstance(value, str) and setting.type is not str:
        value = _from_text(setting.type, value, bad)
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if setting.type is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
        value = list(value)
    elif not isinstance(value, setting.type) or (setting.type is int and isinstance(value, bool)):
        raise bad
    # For a list, every item must be one of the choices (an empty list is fine).
    if setting.choices is not None and any(v not in setting.choices for v in (value if setting.type is list
                                                                               else [value])):
        choices = ", ".join(toml_literal(c) for c in setting.choices)
        raise ConfigError(f"{where} {setting.key} = {shown} is not one of the choices.\nUse one of: {choices}")
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"{where} {setting.key} = {shown} is below the minimum.\n"
                          f"Use {setting.minimum:g} or more, for example: {setting.key} = {setting.example}")
    if setting.maximum is not None and value > setting.maximum:
        raise ConfigError(f"{where} {setting.key} = {shown} is above the maximum.\n"
                          f"Use {setting.maximum:g} or less, for example: {setting.key} = {setting.example}")
    return value


def _from_text(kind: type, text: str, bad: ConfigError) -> Any:
    try:
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind is bool:
            lowered = text.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(text)
        if kind is list:
            return [part.strip() for part in text.split(",") if part.strip()]
    except ValueError:
        raise bad from None
    return text


def validate_section(declared: Iterable[Setting], raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Validate ``raw`` against ``declared`` settings and return every value, defaults filled in.

    Unknown keys and missing required values raise :class:`ConfigError` naming ``where``.
    """
    by_key = {s.key: s for s in declared}
    for key in raw:
        if key not in by_key:
            known = ", ".join(sorted(by_key)) or "(none)"
            raise ConfigError(f"{where} has an unknown key {key!r}.\n"
                              f"Remove it or correct its spelling; the keys here are: {known}")
    values: dict[str, Any] = {}
    for setting in declared:
        if setting.key in raw:
            values[setting.key] = coerce(setting, raw[setting.key], where)
        elif setting.required:
            raise ConfigError(f"{where} is missing {setting.key}, which is required.\n"
                              f"{setting.description} For example: {setting.key} = "
                              f"{toml_literal(setting.example)}")
        else:
            values[setting.key] = setting.default
    return values


@dataclass
class Config:
    """A site's validated configuration. Build it with :func:`load_config` or :meth:`from_dict`.

    ``site`` and ``mail`` hold the core's values; ``plugins`` lists the enabled plugins in the
    order written; ``plugin_settings`` holds each plugin's raw table, validated once the
    plugin has declared its settings (see ``organet.plugins``).
    """

    site: dict[str, Any]
    mail: dict[str, Any]
    plugins: list[str]
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    @property
    def source(self) -> str:
        """The file name used in messages: the config file, or "configuration" when built in code."""
        return str(self.path) if self.path else "configuration"

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite path made relative to the config file's folder."""
        url = str(self.site["database_url"])
        prefix = "sqlite:///"
        if url.startswith(prefix) and self.path is not None:
            target = url[len(prefix):]
            if target and target != ":memory:" and not os.path.isabs(target):
                return prefix + str((self.path.parent / target).resolve())
        return url

    @property
    def media_dir(self) -> Path:
        """The media folder as an absolute path (relative to the config file's folder)."""
        folder = Path(self.site["media_dir"])
        if not folder.is_absolute() and self.path is not None:
            folder = self.path.parent / folder
        return folder.resolve()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Config:
        """Validate a parsed TOML document (plus ``ORGANET_*`` overrides from ``environ``)."""
        where = str(path) if path else "configuration"
        data = _with_environment(data, os.environ if environ is None else environ)
        known_sections = {*CORE_SECTIONS, "plugins"}
        for section in data:
            if section not in known_sections:
                raise ConfigError(f"{where}: unknown section [{section}].\n"
                                  f"Remove it; the sections are [site], [mail] and [plugins].")
        sections: dict[str, dict[str, Any]] = {}
        for name, declared in CORE_SECTIONS.items():
            raw = data.get(name, {})
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{where}: {name} must be a table, written [{name}].")
            sections[name] = validate_section(declared, raw, f"{where}: [{name}]")
        plugins_table = dict(data.get("plugins", {}))
        enabled = plugins_table.pop("enabled", [])
        if isinstance(enabled, str):
            enabled = [part.strip() for part in enabled.split(",") if part.strip()]
        if not isinstance(enabled, list) or not all(isinstance(p, str) for p in enabled):
            raise ConfigError(f"{where}: [plugins] enabled must be a list of plugin names.\n"
                              'For example: enabled = ["phonebook", "bulletin"]')
        plugin_settings: dict[str, dict[str, Any]] = {}
        for name, table in plugins_table.items():
            if not isinstance(table, Mapping):
                raise ConfigError(f"{where}: [plugins] {name} = ... is not a table.\n"
                                  f"Write the plugin's settings under [plugins.{name}].")
            plugin_settings[name] = dict(table)
        return cls(site=sections["site"], mail=sections["mail"], plugins=list(dict.fromkeys(enabled)),
                   plugin_settings=plugin_settings, path=path)


def load_config(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate organet.toml at ``path``. Raises :class:`ConfigError` with the fix."""
    file = Path(path).resolve()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file.\nRun `organet init` to make a new site, "
                          "or pass --config with the path of organet.toml.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: this is not valid TOML ({error}).\n"
                          "Check quotes around texts and [brackets] around section names.") from None
    return Config.from_dict(data, path=file, environ=environ)


def _with_environment(data: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Return ``data`` with ``ORGANET_*`` variables applied on top.

    ``ORGANET_DATABASE_URL`` sets ``[site] database_url``; ``ORGANET_MAIL__HOST`` sets
    ``[mail] host``; ``ORGANET_PLUGINS__BULLETIN__EXPIRY_DAYS`` sets a plugin's setting;
    ``ORGANET_PLUGINS`` ("phonebook,bulletin") replaces the list of enabled plugins.
    """
    merged: dict[str, Any] = {key: dict(value) if isinstance(value, Mapping) else value
                              for key, value in data.items()}
    site_keys = {s.key for s in SITE_SETTINGS}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name.startswith(ENV_PREFIX + "TEST"):
            continue
        parts = name[len(ENV_PREFIX):].lower().split("__")
        if parts == ["plugins"]:
            merged.setdefault("plugins", {})["enabled"] = value
        elif len(parts) == 1 and parts[0] in site_keys:
            merged.setdefault("site", {})[parts[0]] = value
        elif len(parts) == 2 and parts[0] in CORE_SECTIONS:
            merged.setdefault(parts[0], {})[parts[1]] = value
        elif len(parts) == 3 and parts[0] == "plugins":
            merged.setdefault("plugins", {}).setdefault(parts[1], {})[parts[2]] = value
    return merged
