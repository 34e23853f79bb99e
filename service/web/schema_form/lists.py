"""A list's "Add another" and "Remove" buttons: the posted ``action`` read, and the answers
given one item more or less."""

from __future__ import annotations

import copy
from typing import Any

from .schema import MAX_DEPTH, MAX_ITEMS, is_int, is_position, items_of, kind_of, schema_at, type_of


def item_action(action: str | None) -> tuple[str, str, int | None] | None:
    """A posted ``action``: ``("add", path, None)`` or ``("remove", path, index)``, or None."""
    if not isinstance(action, str) or len(action) > 1000:
        return None
    verb, _, target = action.partition(":")
    if verb == "add" and target:
        return "add", target, None
    if verb == "remove":
        path, _, position = target.rpartition(".")
        if path and is_position(position):
            return "remove", path, int(position)
    return None


def add_item(values: dict, path: str, schema: dict | None = None) -> dict:
    """The values with one empty item more at the end of the list at ``path``. Given the form's
    ``schema``, only a list the schema has takes one, up to its ``maxItems``."""
    result = copy.deepcopy(values) if isinstance(values, dict) else {}
    empty: Any = {}
    limit = MAX_ITEMS
    if schema is not None:
        node = schema_at(schema, path)
        if node is None or type_of(node) != "array" or kind_of(node, {}) != "array":
            return result
        empty = {} if kind_of(items_of(node), {}) == "object" else ""
        if is_int(node.get("maxItems")):
            limit = min(limit, node["maxItems"])
    items = _list_at(result, path, create=True)
    if items is not None and len(items) < limit:
        items.append(empty)
    return result


def remove_item(values: dict, path: str, index: int) -> dict:
    """The values without the item at ``index`` of the list at ``path``."""
    result = copy.deepcopy(values) if isinstance(values, dict) else {}
    items = _list_at(result, path, create=False)
    if items is not None and isinstance(index, int) and 0 <= index < len(items):
        del items[index]
    return result


def _list_at(values: dict, path: str, create: bool) -> list | None:
    parts = path.split(".") if isinstance(path, str) and path else []
    if not parts or len(parts) > 2 * MAX_DEPTH:
        return None
    node: Any = values
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(node, list):
            if not is_position(part) or int(part) >= len(node):
                return None
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            return None
        if part not in node:
            if not create:
                return None
            node[part] = [] if last else {}
        node = node[part]
    return node if isinstance(node, list) else None
