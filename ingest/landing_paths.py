"""Landing paths stay inside ``LANDING_DIR``: no absolute paths, no '..', no symlink leading out.

A catalog entry names a file relative to the landing folder. Without this check an entry like
``path: ../../../etc/passwd`` would be read, archived and quoted in error messages. The catalog
refuses such a path when it is loaded (lexically, and against the folder when it is known), and
the pipeline checks again, on the resolved path, right before reading.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from ingest.errors import IngestError
from ingest.sanitise import snippet


class UnsafeLandingPathError(IngestError):
    """A landing path that is absolute, climbs out with '..', or resolves outside the folder."""


def check_relative(path: str) -> None:
    """Refuse, without touching the disk, a path that could name a file outside the folder."""
    shown = repr(snippet(path))
    if not path.strip():
        raise UnsafeLandingPathError("landing path is empty")
    if "\x00" in path:
        raise UnsafeLandingPathError(f"landing path {shown} contains a NUL character")
    # Both flavours: a Windows drive or UNC path is as absolute as '/etc/passwd'.
    if (
        PurePosixPath(path).is_absolute()
        or PureWindowsPath(path).is_absolute()
        or path[:1] in "/\\"
    ):
        raise UnsafeLandingPathError(
            f"landing path {shown} is absolute; give it relative to LANDING_DIR"
        )
    if PureWindowsPath(path).drive:
        raise UnsafeLandingPathError(f"landing path {shown} names a drive; give it relative")
    if ".." in PureWindowsPath(path).parts:  # splits on '/' and '\\'
        raise UnsafeLandingPathError(
            f"landing path {shown} contains '..'; it must stay inside LANDING_DIR"
        )


def confined_path(landing_dir: Path, path: str) -> Path:
    """The real (symlink-free) location of ``path`` under ``landing_dir``, or an error.

    Returns the resolved path so the caller opens exactly what was checked.
    """
    check_relative(path)
    root = landing_dir.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root):
        raise UnsafeLandingPathError(
            f"landing path {snippet(path)!r} leads outside LANDING_DIR through a symlink; "
            "copy the file into the landing folder instead"
        )
    return target
