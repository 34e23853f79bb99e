"""Finding earlier reports: the fields a case is found by, and their values written one way.

Repeat reports are how stalking is spotted, so a person starting a case can look for earlier
cases by a name, a date of birth, a phone number or a STORM reference. A form marks the fields
that hold one with the keyword ``"match": "<kind>"`` (for instance ``"match": "name"`` on the
victim's name); the service keeps each case's values of those fields, written one way
(``normalised``), so that "Sîan  Jones" finds "sîan jones" and "+44 1267 226440" finds
"01267 226440".
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date

from .problems import Words, words

KEYWORD = "match"
KINDS = ("name", "date_of_birth", "phone", "storm_reference")
EACH = "[]"  # a path step through every item of a list

# A path into a case's data, (field, sub-field, EACH, ...), and the kind of value found there.
MatchField = tuple[tuple[str, ...], str]


def normalised(kind: str, value: object) -> str | None:
    """The value written the one way it is kept and searched, or None when it cannot be one."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", value).strip()
    if kind == "name":
        return " ".join(text.casefold().split()) or None
    if kind == "date_of_birth":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        for international in ("0044", "44"):  # a UK number written internationally
            if text.lstrip().startswith(("+", "00")) and digits.startswith(international):
                digits = "0" + digits.removeprefix(international)
                break
        return digits if len(digits) >= 6 else None
    if kind == "storm_reference":
        return text.upper() or None
    raise ValueError(f"unknown kind of match '{kind}'")


def match_fields(schema: dict) -> list[MatchField]:
    """Every field of a form's schema marked with ``match``, reached through properties and
    list items only, with its kind."""
    found: list[MatchField] = []
    _walk(schema, (), found)
    return found


def _walk(node: object, path: tuple[str, ...], found: list[MatchField]) -> None:
    if not isinstance(node, dict):
        return
    if isinstance(node.get(KEYWORD), str) and path:
        found.append((path, node[KEYWORD]))
    for name, child in (node.get("properties") or {}).items():
        _walk(child, (*path, name), found)
    _walk(node.get("items"), (*path, EACH), found)


def match_problems(schema: dict) -> list[Words]:
    """What is wrong with the form's ``match`` marks, each in words (empty when nothing is)."""
    problems = []
    marked = {path: kind for path, kind in match_fields(schema)}
    for pointer, node in _marked_nodes(schema, ""):
        value = node[KEYWORD]
        where = pointer or "(root)"
        if value not in KINDS:
            problems.append(words("match_unknown_kind", pointer=where, kinds=", ".join(KINDS)))
        if node.get("type") != "string":
            problems.append(words("match_not_text", pointer=where))
    reachable = len(marked)
    if reachable < sum(1 for _ in _marked_nodes(schema, "")):
        problems.append(words("match_unreachable"))
    return problems


def _marked_nodes(node: object, pointer: str) -> Iterator[tuple[str, dict]]:
    """Every schema within ``node`` that carries the keyword, wherever it is."""
    if isinstance(node, dict):
        if KEYWORD in node:
            yield pointer, node
        for key, child in node.items():
            yield from _marked_nodes(child, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _marked_nodes(child, f"{pointer}/{index}")


def match_keys(data: dict, fields: Iterable[MatchField]) -> set[tuple[str, str]]:
    """The (kind, value) pairs a case with this data is found by."""
    keys = set()
    for path, kind in fields:
        for value in _values(data, path):
            value = normalised(kind, value)
            if value is not None:
                keys.add((kind, value))
    return keys


def _values(node: object, path: tuple[str, ...]) -> Iterator[object]:
    if not path:
        yield node
        return
    step, rest = path[0], path[1:]
    if step == EACH:
        if isinstance(node, list):
            for item in node:
                yield from _values(item, rest)
    elif isinstance(node, dict) and step in node:
        yield from _values(node[step], rest)
