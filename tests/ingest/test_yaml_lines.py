"""ingest.yaml_lines: the catalog and studies files read by libyaml's parser, exactly as PyYAML's
pure-Python parser reads them (values and the lines errors name), and on a syntax error the
pure-Python parser's message, which quotes the line with a caret under the column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingest import yaml_lines
from ingest.config import REPO_ROOT

SHIPPED = [REPO_ROOT / "catalog" / "series.yml", REPO_ROOT / "config" / "studies.yml"]


def _nodes(node: yaml.Node | None) -> list[tuple[str, int, int]]:
    """Every node's tag and start (line, column), depth first."""
    if node is None:
        return []
    found = [(node.tag, node.start_mark.line, node.start_mark.column)]
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found += _nodes(child)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found += _nodes(key) + _nodes(value)
    return found


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_fast_parser_reads_the_shipped_files_as_pyyaml_does(path: Path) -> None:
    assert yaml_lines.FAST_LOADER is yaml.CSafeLoader  # the locked PyYAML wheel has libyaml
    text = path.read_text(encoding="utf-8")
    values, root = yaml_lines.load(text)
    reference, reference_root = yaml_lines._load(text, yaml.SafeLoader)
    assert values == reference
    assert _nodes(root) == _nodes(reference_root)
    # the whole file, not an empty document: 56 catalog entries, 10 shipped studies
    assert len(values) == {"series.yml": 56, "studies.yml": 10}[path.name]


def test_a_syntax_error_quotes_the_line_with_a_caret() -> None:
    text = (REPO_ROOT / "config" / "studies.yml").read_text(encoding="utf-8")
    first = text.index("event_windows:")
    broken = text[:first] + text[first:].replace("]]", "]", 1)  # one bracket short
    with pytest.raises(yaml.YAMLError) as error:
        yaml_lines.load(broken)
    message = str(error.value)
    assert "^" in message and "event_windows" in message, message
