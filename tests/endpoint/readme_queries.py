"""The example queries of the repository README, read from README.md itself."""

from __future__ import annotations

import re

from ingest.config import REPO_ROOT

SECTIONS = ("### Example queries", "## ETF flows and FX")


def readme_queries() -> list[str]:
    """Every statement of the SQL blocks under the README's query sections, in order."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    queries: list[str] = []
    for heading in SECTIONS:
        start = text.index(heading)
        following = re.search(r"^#{2,3} ", text[start + len(heading) :], re.MULTILINE)
        section = (
            text[start : start + len(heading) + following.start()] if following else text[start:]
        )
        for block in re.findall(r"```sql\n(.*?)```", section, re.DOTALL):
            code = "\n".join(
                line for line in block.splitlines() if not line.strip().startswith("--")
            )
            queries += [q.strip() for q in code.split(";") if q.strip()]
    return queries
