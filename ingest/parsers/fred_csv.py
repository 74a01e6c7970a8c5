"""FRED CSV, as fredgraph.csv and the FRED download button serve it, plus common re-saves.

Accepted headers (the first column is the date, the value column is the series):

* ``observation_date,SERIES`` -- current FRED download / ``fredgraph.csv?id=SERIES``;
* ``DATE,SERIES`` -- older FRED exports, where a missing observation is written ``.``;
* ``date,value`` -- pipelines that renamed the header (and usually dropped holidays).

An empty or ``.`` value is FRED's "no observation" (a US bank holiday): the row is skipped and
is neither a reject nor a zero. The value becomes ``close``; no other price column exists.
"""

from __future__ import annotations

from ingest.errors import FileFormatError
from ingest.parsers.bars import read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, decode_text
from ingest.sanitise import header_snippet

_DATE_HEADERS = ("observation_date", "date")  # matched case-insensitively


def _columns(names: list[str], line: int, ctx: ParseContext) -> tuple[int, int]:
    """Positions of the date and value columns."""
    lowered = [n.lower() for n in names]
    date_pos = next((lowered.index(d) for d in _DATE_HEADERS if d in lowered), None)
    if date_pos is None:
        raise FileFormatError(
            ctx.origin,
            "missing column 'observation_date' (or 'date'/'DATE'); "
            f"header is {header_snippet(names)}",
            line=line,
            column="observation_date",
        )
    wanted = ctx.options.get("value_column")
    if wanted:
        if wanted not in names:
            raise FileFormatError(
                ctx.origin,
                f"missing column {wanted!r} (header is {header_snippet(names)})",
                line=line,
                column=wanted,
            )
        return date_pos, names.index(wanted)
    if "value" in lowered:
        return date_pos, lowered.index("value")
    others = [i for i in range(len(names)) if i != date_pos]
    if len(others) != 1:
        # fredgraph.csv?id=A,B returns one column per series: which one is ours is ambiguous.
        raise FileFormatError(
            ctx.origin,
            "expected one value column beside the date, header is "
            f"{header_snippet(names)}; set 'value_column'",
            line=line,
        )
    return date_pos, others[0]


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    table = read_table(decode_text(payload, ctx.origin), ctx.origin)
    date_pos, value_pos = _columns(table.header, table.header_line, ctx)
    result = table_to_bars(table, ctx, date_pos, {"close": value_pos})
    # Empty or '.' = FRED's "no observation" (a holiday): drop silently, never a zero or reject.
    frame = result.frame[result.frame["close"].notna()].reset_index(drop=True)
    return ParseResult(frame=frame, rejects=result.rejects)
