"""Make untrusted text safe to quote in an error message or in ``raw.loads.message``.

A message may point at a file, a line and a column, and may quote a short header so a user can
see what was found; it never carries file content. Everything quoted from a payload goes
through ``snippet`` (printable characters only, cut short).
"""

from __future__ import annotations

from collections.abc import Iterable

SNIPPET_CHARS = 80  # the most a message quotes of anything read from a payload
MESSAGE_CHARS = 1000  # the most a stored failure message keeps
_ELLIPSIS = "..."


def snippet(value: object, limit: int = SNIPPET_CHARS) -> str:
    """``value`` as text with control and non-printable characters dropped, at most ``limit``."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(_ELLIPSIS))] + _ELLIPSIS


def header_snippet(cells: Iterable[object], delimiter: str = ",") -> str:
    """A header line as a short quotable string: 'Date,Close' rather than a list of every cell."""
    return repr(snippet(delimiter.join(str(c).strip() for c in cells)))


def message(text: object) -> str:
    """A failure message fit for ``raw.loads.message``: printable and bounded."""
    return snippet(text, MESSAGE_CHARS)
