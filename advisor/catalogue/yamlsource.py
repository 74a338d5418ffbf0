"""YAML loading that remembers where every value stood, for error messages.

PyYAML's safe loader is used with two changes: only ``true``/``false`` are
booleans (YAML 1.1 would turn ``no``, ``on`` and ``off`` into booleans and
silently change catalogue text), and a key repeated within one mapping is an
error rather than a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class StrictLoader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 booleans."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlProblem(Exception):
    """A YAML file could not be read as data; carries the 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Located:
    """Parsed data plus the line of every path inside it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest existing prefix of ``path`` (a missing key points at its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def load(path: Path) -> Located:
    """Read one YAML file into plain data with line numbers; raise :class:`YamlProblem`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"not UTF-8 text ({exc.reason})", None) from exc
    try:
        node = yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(
            f"invalid YAML: {exc.problem or exc.context}", mark.line + 1 if mark else None
        ) from exc
    if node is None:
        raise YamlProblem("the file is empty", 1)
    located = Located(None)
    constructor = StrictLoader("")
    located.data = _build(node, (), located.lines, constructor)
    return located


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int], constructor) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem("merge keys (<<) are not supported", key_node.start_mark.line + 1)
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise YamlProblem(f"unsupported key {key!r}", key_node.start_mark.line + 1)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            child = (*path, key)
            result[key] = _build(value_node, child, lines, constructor)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), lines, constructor) for index, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)
