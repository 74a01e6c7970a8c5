"""The SQL style configuration (.sqlfluff) that make lint checks every model against.

``make lint`` (run by CI before the suite, .ci/run) lints every model with the dbt templater, about
a minute on two cores; here the same rules must find the violations of a badly styled query (a
configuration that checked nothing would fail), pass the house layout, and keep the rules that
fight the house style off.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

REPO_ROOT = Path(__file__).resolve().parents[2]


def _config_with_jinja_templater() -> FluffConfig:
    """The repository's rules, templated by plain Jinja: a string is no dbt node to compile."""
    return FluffConfig.from_path(str(REPO_ROOT), overrides={"templater": "jinja"})


def _codes(sql: str) -> set[str]:
    linted = Linter(config=_config_with_jinja_templater()).lint_string(sql)
    return {violation.rule_code() for violation in linted.get_violations()}


def test_the_style_rules_find_a_badly_styled_query():
    bad = textwrap.dedent(
        """\
        SELECT id, Name n,
           count(*) as n_rows
        from t
        group by id, Name
        """
    )
    codes = _codes(bad)
    assert "CP01" in codes  # uppercase keyword
    assert "AL02" in codes  # column alias without `as`
    assert "LT02" in codes  # 3-space indent
    assert "LT05" in _codes("select '" + "x" * 100 + "' as long_text\n")


def test_the_house_layout_passes():
    good = textwrap.dedent(
        """\
        with flows as (

            select
                f.product,
                f.flow_date,
                sum(f.flow_usd) as flow_usd
            from raw_flows as f
            inner join funds
                on f.fund = funds.fund
                and f.product = funds.product
            where f.flow_usd is not null
                and f.flow_date >= date '2024-01-11'
            group by f.product, f.flow_date

        )

        select
            product,
            flow_date,
            case
                when flow_usd > 0 then 'inflow'
                when flow_usd < 0
                    then 'outflow'
                else 'flat'
            end as direction
        from flows
        """
    )
    assert _codes(good) == set()


@pytest.mark.parametrize("rule", ["LT09", "AL03", "RF04", "ST06", "ST07", "AM03"])
def test_rules_that_fight_the_house_style_stay_off(rule):
    assert rule in _config_with_jinja_templater().get("exclude_rules")
