"""Landing/bronze layer: every payload is kept verbatim, content-addressed, before parsing.

A parser bug never loses data and a re-parse never needs a re-fetch: ``raw.payloads`` records
origin, time and SHA-256, and the bytes sit in ``ARCHIVE_DIR/<sha[:2]>/<sha>``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class ArchivedPayload:
    sha256: str
    origin: str
    received_at: datetime
    size_bytes: int
    archive_path: Path


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def archive_payload(
    content: bytes, origin: str, archive_dir: Path, received_at: datetime | None = None
) -> ArchivedPayload:
    """Write the bytes once (same hash = same file) and describe where they are."""
    digest = sha256_of(content)
    target = archive_dir / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(content)
        tmp.replace(target)  # atomic: a crash never leaves a half-written archive file
    return ArchivedPayload(
        sha256=digest,
        origin=origin,
        received_at=received_at or datetime.now(UTC),
        size_bytes=len(content),
        archive_path=target,
    )


def read_archived(archive_dir: Path, sha256: str) -> bytes:
    """Bytes of an archived payload, verified against their hash."""
    content = (archive_dir / sha256[:2] / sha256).read_bytes()
    if sha256_of(content) != sha256:
        raise ValueError(f"archived payload {sha256} is corrupt (hash mismatch)")
    return content
