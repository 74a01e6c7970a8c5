"""SET, RESET and SHOW as Postgres clients send them, answered per session without touching DuckDB.

Drivers set a handful of session parameters on connect (application_name, extra_float_digits,
DateStyle, client_encoding, search_path, statement_timeout, TimeZone, ...). Those are accepted:
most are no-ops (the endpoint always sends ISO dates, UTF-8 and shortest round-trip floats),
search_path and statement_timeout are emulated. Every other parameter, DuckDB's engine options
among them, is refused with 42501: a client cannot change what the endpoint guarantees.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from pg_mimic import PgError

SERVER_VERSION = "15.0"
INSUFFICIENT_PRIVILEGE = "42501"
INVALID_PARAMETER_VALUE = "22023"
UNDEFINED_OBJECT = "42704"

# name -> (default value, description shown by SHOW ALL and pg_settings)
SETTING_DEFAULTS: dict[str, tuple[str, str]] = {
    "application_name": ("", "Sets the application name reported in the endpoint's log."),
    "bytea_output": ("hex", "Output format of bytea values."),
    "client_encoding": ("UTF8", "The client's character set encoding (UTF8 only)."),
    "client_min_messages": ("notice", "Message levels sent to the client."),
    "datestyle": ("ISO, MDY", "Date and time output format (always ISO)."),
    "default_table_access_method": ("heap", "Table access method (all tables are heap-like)."),
    "default_transaction_isolation": ("read committed", "Isolation of new transactions."),
    "default_transaction_read_only": ("on", "Every transaction is read-only."),
    "extra_float_digits": ("1", "Floats are always sent as shortest round-trip text."),
    "integer_datetimes": ("on", "Datetimes are integer based."),
    "intervalstyle": ("postgres", "Interval output format."),
    "is_superuser": ("off", "The connected user is not a superuser."),
    "lc_collate": ("C", "Collation order locale."),
    "lc_ctype": ("C", "Character classification locale."),
    "lc_messages": ("C", "Language of messages."),
    "lc_monetary": ("C", "Locale for money amounts."),
    "lc_numeric": ("C", "Locale for numbers."),
    "lc_time": ("C", "Locale for dates and times."),
    "max_identifier_length": ("63", "Longest identifier."),
    "max_index_keys": ("32", "Most index keys (there are no indexes to describe)."),
    "block_size": ("8192", "Size of a disk block."),
    "search_path": ("marts", "Schemas searched for unqualified table names."),
    "server_encoding": ("UTF8", "The server's character set encoding."),
    "server_version": (SERVER_VERSION, "The Postgres version the endpoint speaks as."),
    "server_version_num": ("150000", "The Postgres version number the endpoint speaks as."),
    "standard_conforming_strings": ("on", "Backslashes in ordinary strings are literal."),
    "statement_timeout": ("30s", "Longest a statement may run (capped by the endpoint)."),
    "timezone": ("UTC", "Timestamps with time zone are sent in UTC."),
    "transaction_isolation": ("read committed", "Isolation of the current transaction."),
    "transaction_read_only": ("on", "The current transaction is read-only."),
}

# Parameters a client may set. Values are remembered for SHOW; only the emulated ones act.
CLIENT_SETTABLE = {
    "application_name",
    "bytea_output",
    "client_encoding",
    "client_min_messages",
    "datestyle",
    "default_transaction_isolation",
    "default_transaction_read_only",
    "escape_string_warning",
    "extra_float_digits",
    "geqo",
    "idle_in_transaction_session_timeout",
    "idle_session_timeout",
    "intervalstyle",
    "jit",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "lock_timeout",
    "row_security",
    "search_path",
    "standard_conforming_strings",
    "statement_timeout",
    "synchronous_commit",
    "timezone",
    "transaction_isolation",
    "transaction_read_only",
}

_ALIASES = {
    "transaction isolation level": "transaction_isolation",
    "time zone": "timezone",
    "session authorization": "session_authorization",
}


@dataclass(frozen=True)
class SetCommand:
    name: str
    value: str | None  # None: back to the default (SET x TO DEFAULT)


@dataclass(frozen=True)
class ResetCommand:
    name: str  # "all" resets everything


@dataclass(frozen=True)
class ShowCommand:
    name: str  # "all" lists everything


@dataclass(frozen=True)
class NoOpCommand:
    """Accepted and ignored: transaction characteristics, DISCARD, DEALLOCATE, savepoints
    (nothing is ever written, so there is nothing to roll back to)."""

    tag: str


Command = SetCommand | ResetCommand | ShowCommand | NoOpCommand

_SET = re.compile(
    r"^SET\s+(?:SESSION\s+|LOCAL\s+)?(?P<name>[\w.\"]+)\s*(?:TO|=)\s*(?P<value>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_SET_TIME_ZONE = re.compile(
    r"^SET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+(?P<value>.+)$", re.IGNORECASE | re.DOTALL
)
_SET_TRANSACTION = re.compile(
    r"^SET\s+(?:SESSION\s+CHARACTERISTICS\s+AS\s+)?TRANSACTION\b", re.IGNORECASE
)
_RESET = re.compile(r"^RESET\s+(?P<name>[\w.\" ]+)$", re.IGNORECASE)
_SHOW = re.compile(r"^SHOW\s+(?P<name>[\w.\" ]+)$", re.IGNORECASE)
_NO_OP = re.compile(
    r"^(DISCARD\s+ALL|DEALLOCATE(\s+PREPARE)?\s+[\w\"]+|SAVEPOINT\s+[\w\"]+"
    r"|RELEASE(\s+SAVEPOINT)?\s+[\w\"]+)$",
    re.IGNORECASE,
)


def parse_command(sql: str) -> Command | None:
    """The SET/RESET/SHOW/no-op command in ``sql`` (comments and ';' already stripped), or None."""
    text = sql.strip()
    if _SET_TRANSACTION.match(text):
        return NoOpCommand("SET")
    match = _SET_TIME_ZONE.match(text)
    if match:
        return SetCommand("timezone", _parse_value(match.group("value")))
    match = _SET.match(text)
    if match:
        return SetCommand(_name(match.group("name")), _parse_value(match.group("value")))
    match = _RESET.match(text)
    if match:
        return ResetCommand(_name(match.group("name")))
    match = _SHOW.match(text)
    if match:
        name = _name(match.group("name"))
        if name == "all" or name in SETTING_DEFAULTS or name == "session_authorization":
            return ShowCommand(name)
        return None  # DuckDB's SHOW TABLES / SHOW <table> go to DuckDB
    if _NO_OP.match(text):
        return NoOpCommand(text.split()[0].upper())
    return None


def _name(raw: str) -> str:
    name = " ".join(raw.replace('"', "").lower().split())
    return _ALIASES.get(name, name)


def _parse_value(raw: str) -> str | None:
    """A SET value list as Postgres shows it: quotes dropped, items joined by ', '."""
    raw = raw.strip()
    if raw.upper() in ("DEFAULT", "LOCAL"):
        return None
    items = [item.strip() for item in re.findall(r"'(?:[^']|'')*'|\"[^\"]*\"|[^,]+", raw)]
    cleaned = []
    for item in items:
        if item.startswith("'") and item.endswith("'"):
            item = item[1:-1].replace("''", "'")
        cleaned.append(item)
    return ", ".join(cleaned)


def check_settable(name: str) -> None:
    """Refuse (42501) a parameter clients may not change: engine options and everything unknown."""
    if name not in CLIENT_SETTABLE:
        raise PgError(
            INSUFFICIENT_PRIVILEGE,
            f'parameter "{name}" cannot be changed: this endpoint is read-only and its '
            "engine settings are fixed",
        )


class ClientSettings:
    """One session's parameters: defaults, what the client set, and the emulated ones."""

    def __init__(self, user: str, statement_timeout_bound: float, schemas: list[str]):
        self.user = user
        self.bound = statement_timeout_bound
        self.known_schemas = schemas
        self.values: dict[str, str] = {name: value for name, (value, _) in SETTING_DEFAULTS.items()}
        self.values["statement_timeout"] = _format_seconds(statement_timeout_bound)
        self.values["session_authorization"] = user
        self.statement_timeout = statement_timeout_bound

    def apply_startup(self, params: dict[str, str]) -> None:
        """Startup-packet parameters (application_name, TimeZone, options, ...), leniently."""
        for raw_name, value in params.items():
            name = _name(raw_name)
            if name in CLIENT_SETTABLE:
                # An unusable startup value keeps the default, as a no-op.
                with contextlib.suppress(PgError):
                    self.set(name, value)

    def show(self, name: str) -> list[tuple[str, str, str]]:
        if name == "all":
            return [(n, self.values.get(n, v), d) for n, (v, d) in sorted(SETTING_DEFAULTS.items())]
        if name not in self.values:
            raise PgError(UNDEFINED_OBJECT, f'unrecognized configuration parameter "{name}"')
        return [(name, self.values[name], "")]

    def set(self, name: str, value: str | None) -> None:
        check_settable(name)
        if value is None:
            self.reset(name)
            return
        if name == "client_encoding" and value.upper().replace("-", "") not in ("UTF8", "UNICODE"):
            raise PgError(INVALID_PARAMETER_VALUE, "only client_encoding UTF8 is supported")
        if name == "standard_conforming_strings" and value.lower() not in ("on", "true", "1"):
            raise PgError(INVALID_PARAMETER_VALUE, "standard_conforming_strings must stay on")
        if name == "statement_timeout":
            seconds = _parse_timeout(value)
            # 0 means "no limit" in Postgres; here the endpoint's bound is the limit.
            self.statement_timeout = self.bound if seconds <= 0 else min(seconds, self.bound)
            value = _format_seconds(self.statement_timeout)
        self.values[name] = value

    def reset(self, name: str) -> None:
        if name == "all":
            for settable in CLIENT_SETTABLE & set(SETTING_DEFAULTS):
                self.values[settable] = SETTING_DEFAULTS[settable][0]
            self.statement_timeout = self.bound
            self.values["statement_timeout"] = _format_seconds(self.bound)
            return
        check_settable(name)
        if name == "statement_timeout":
            self.statement_timeout = self.bound
            self.values[name] = _format_seconds(self.bound)
        elif name in SETTING_DEFAULTS:
            self.values[name] = SETTING_DEFAULTS[name][0]
        else:
            self.values.pop(name, None)

    @property
    def search_path(self) -> list[str]:
        """The schemas of the client's search_path that exist, in order ($user, public dropped)."""
        wanted = [s.strip().strip('"') for s in self.values["search_path"].split(",")]
        return [s for s in wanted if s in self.known_schemas]


_TIMEOUT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def _parse_timeout(value: str) -> float:
    match = _TIMEOUT.match(value)
    if not match:
        raise PgError(
            INVALID_PARAMETER_VALUE, f'invalid value for parameter "statement_timeout": "{value}"'
        )
    unit = (match.group(2) or "ms").lower()  # a bare number is milliseconds, as in Postgres
    return float(match.group(1)) * _UNIT_SECONDS[unit]


def _format_seconds(seconds: float) -> str:
    if seconds >= 1 and float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{int(round(seconds * 1000))}ms"
