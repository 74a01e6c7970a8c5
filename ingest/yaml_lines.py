"""YAML read together with its node tree, so that an error can name the line to fix.

The catalog (SERIES_FILE) and the studies file (STUDIES_FILE) validate the plain Python values
and look up where an entry or one of its keys starts in the nodes (lines counted from 1, as an
editor shows them). Nothing is added to the values themselves.
"""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (the wheels are): the same values and node marks,
# about ten times faster than the pure-Python one (0.3 s for the catalog, on every make run)
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> tuple[Any, yaml.Node | None]:
    """The document (SafeLoader's values) and its root node; raises yaml.YAMLError."""
    try:
        return _load(text, FAST_LOADER)
    except yaml.YAMLError:
        # again with the pure-Python parser: its message quotes the line, with a caret under
        # the column (libyaml's gives the line and column only)
        return _load(text, yaml.SafeLoader)


def _load(text: str, loader_class: type) -> tuple[Any, yaml.Node | None]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    finally:
        loader.dispose()


def line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """The item nodes of a sequence (none for anything else)."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def item(node: yaml.Node | None, index: int) -> yaml.Node | None:
    found = items(node)
    return found[index] if index < len(found) else None


def value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node (None when absent or not a mapping)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Each key of a mapping node and the line it is on."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: line(k) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
