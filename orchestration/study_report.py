"""The studies' results as `make study` prints them: each changed study's windows and tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import duckdb

# (header, column of marts.fct_event_study_summary, format)
COLUMNS = (
    ("pairs", "n_pairs", "{:>6}"),
    ("CAAR", "caar", "{:>11.4g}"),
    ("t (CS)", "cs_t_stat", "{:>7.2f}"),
    ("p BMP", "bmp_p_value", "{:>7.3g}"),
    ("p KP", "kp_p_value", "{:>7.3g}"),
    ("p rank", "rank_p_value", "{:>7.3g}"),
    ("p sign", "gen_sign_p_value", "{:>7.3g}"),
    ("p Wilcoxon", "wilcoxon_p_value", "{:>10.3g}"),
)
WIDTHS = (6, 11, 7, 7, 7, 7, 7, 10)


@dataclass
class StudyResults:
    """Per study: its summary rows (window start, end, then COLUMNS) and exclusions by reason."""

    windows: dict[str, list[tuple]] = field(default_factory=dict)
    exclusions: dict[str, Counter[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    new: set[str] = field(default_factory=set)

    @property
    def studies(self) -> list[str]:
        return sorted(set(self.windows) | set(self.exclusions))

    def lines(self) -> list[str]:
        out = [f"  study {study}: removed" for study in self.removed]
        for study in self.studies:
            rows = self.windows.get(study, [])
            excluded = self.exclusions.get(study, Counter())
            why = ", ".join(f"{n} {reason}" for reason, n in excluded.most_common())
            included = rows[0][2] if rows else 0
            out.append(
                f"  study {study}{' (new)' if study in self.new else ''}: {included} pairs"
                f", {sum(excluded.values())} excluded" + (f" ({why})" if why else "")
            )
            if not rows:
                continue
            header = "".join(f"{h:>{w + 1}}" for (h, _, _), w in zip(COLUMNS, WIDTHS, strict=True))
            out.append(f"    {'window':<10}{header}")
            for start, end, *values in rows:
                cells = "".join(
                    " " + (fmt.format(v) if v is not None else f"{'-':>{w}}")
                    for (_, _, fmt), w, v in zip(COLUMNS, WIDTHS, values, strict=True)
                )
                out.append(f"    {f'[{start}, {end}]':<10}{cells}")
        if not out:
            out.append("  no study's results changed")
        return out


def read_results(con: duckdb.DuckDBPyConnection) -> StudyResults:
    """Every study's results in the warehouse (none before the marts are built)."""
    columns = ", ".join(column for _, column, _ in COLUMNS)
    try:
        rows = con.execute(
            f"select study_id, window_start, window_end, {columns} "
            "from marts.fct_event_study_summary order by study_id, window_start, window_end"
        ).fetchall()
        excluded = con.execute(
            "select study_id, reason, count(*) from marts.fct_event_study_exclusions "
            "group by all order by 1, 2"
        ).fetchall()
    except duckdb.CatalogException:
        return StudyResults()
    results = StudyResults()
    for study, *row in rows:
        results.windows.setdefault(study, []).append(tuple(row))
    for study, reason, n in excluded:
        results.exclusions.setdefault(study, Counter())[reason] = n
    return results


def changed_studies(before: StudyResults, after: StudyResults) -> StudyResults:
    """The studies of ``after`` whose windows or exclusions differ from ``before``, and the ones
    that are gone."""
    changed = StudyResults(removed=sorted(set(before.studies) - set(after.studies)))
    for study in after.studies:
        rows = after.windows.get(study, [])
        exclusions = after.exclusions.get(study, Counter())
        if rows != before.windows.get(study, []) or exclusions != before.exclusions.get(
            study, Counter()
        ):
            changed.windows[study] = rows
            changed.exclusions[study] = exclusions
            if study not in before.studies:
                changed.new.add(study)
    return changed
