"""The endpoint's password: SERVE_PASSWORD, or a generated one kept in an owner-only file.

The endpoint never runs without a password. A generated password is written once, with mode 0600,
beside the published copy (``serving/``, git-ignored) and reused by later starts, so BI tools keep
their saved connection; delete the file to get a new one.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from endpoint.settings import EndpointSettings


@dataclass(frozen=True)
class Password:
    value: str
    origin: str  # "SERVE_PASSWORD", "generated" or "file"
    file: Path | None = None


def resolve_password(settings: EndpointSettings) -> Password:
    if settings.password:
        return Password(settings.password, "SERVE_PASSWORD")
    path = settings.password_file
    existing = _read_private(path)
    if existing:
        return Password(existing, "file", path)
    value = secrets.token_urlsafe(24)
    _write_private(path, value)
    return Password(value, "generated", path)


def _read_private(path: Path) -> str | None:
    """The stored password, or None when missing or readable by others (then it is replaced)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if stat.S_IMODE(info.st_mode) & 0o077 or info.st_uid != os.getuid():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def _write_private(path: Path, value: str) -> None:
    """Write with mode 0600 from the first byte on (no window where others could read it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staged.unlink(missing_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (value + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(staged, path)
