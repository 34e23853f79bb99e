"""Names of processes, tasks and events in each language.

A diagram's names are English, written in the diagram. Their Welsh lies beside it:
``bpmn/stalking_harassment.bpmn`` has ``bpmn/stalking_harassment.bpmn.cy.json``::

    {"names": {"stalking_harassment": "Achos stelcio ac aflonyddu",
               "live_time_review": "Adolygiad amser real", ...}}

keyed by element id, the process's own id included. Every named process, task, sub-process,
call activity, event and gateway must have its Welsh name, checked when the diagram is
deployed, like the forms' Welsh texts; a Welsh name for an element that does not exist (or
has no name to translate) is a problem too, so the two never drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from .controls import FLOW_NODES
from .problems import Problem, words

NAMES_SUFFIX = ".cy.json"  # appended to the diagram's own file name


def names_path(diagram_path: str) -> str:
    """``bpmn/x.bpmn`` -> ``bpmn/x.bpmn.cy.json``."""
    return diagram_path + NAMES_SUFFIX


def is_names_file(path: str) -> bool:
    return path.endswith(".bpmn" + NAMES_SUFFIX)


def named_elements(process: etree._Element) -> dict[str, str]:
    """Element id -> English name, for the process and every named element in it."""
    found = {process.get("id"): process.get("name") or ""}
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in FLOW_NODES and (element.get("name") or "").strip():
            found[element.get("id")] = element.get("name")
    return {key: name for key, name in found.items() if key and name.strip()}


@dataclass(frozen=True)
class ElementNames:
    """Welsh names by process id, then element id (an element id is unique in its file,
    not across files)."""

    welsh: dict[str, dict[str, str]] = field(default_factory=dict)

    def name(
        self, english: str, element_id: str, language: str, process_id: str | None = None
    ) -> str:
        """The element's name in ``language``; the English name when there is no other.

        ``process_id`` says where to look first (the case's process); an element of a process
        it calls is found in that process's names.
        """
        if language != "cy":
            return english
        if process_id in self.welsh and element_id in self.welsh[process_id]:
            return self.welsh[process_id][element_id]
        for names in self.welsh.values():
            if element_id in names:
                return names[element_id]
        return english


def load_names(
    files: dict[str, bytes],
    diagrams: dict[str, etree._Element],
    problems: list[Problem],
    checked: bool = False,
) -> ElementNames:
    """The Welsh names of every diagram, with a problem for each one missing or left over.

    ``checked`` files are a version deployed before: one deployed before diagrams had Welsh
    names still runs, its names shown in English.
    """
    welsh: dict[str, dict[str, str]] = {}
    for path in sorted(p for p in files if is_names_file(p)):
        if path.removesuffix(NAMES_SUFFIX) not in diagrams:
            problems.append(Problem(path, None, words("names_without_diagram")))
    for path, root in sorted(diagrams.items()):
        if checked and names_path(path) not in files:
            continue
        names = _read(files, names_path(path), problems)
        if names is None:
            continue
        used: set[str] = set()
        for process in root.iterfind("{*}process"):
            english = named_elements(process)
            welsh[process.get("id")] = {key: names[key] for key in english if names.get(key)}
            used.update(english)
            problems.extend(
                Problem(names_path(path), key, words("no_welsh_name", name=english[key]))
                for key in english
                if not names.get(key)
            )
        problems.extend(_left_over(names_path(path), names, used))
    return ElementNames(welsh)


def _read(files: dict[str, bytes], path: str, problems: list[Problem]) -> dict[str, str] | None:
    if path not in files:
        problems.append(Problem(path, None, words("names_missing")))
        return None
    try:
        document = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as error:
        problems.append(Problem(path, None, words("json_not_valid", detail=str(error))))
        return None
    names = document.get("names") if isinstance(document, dict) else None
    if not isinstance(names, dict) or not all(isinstance(value, str) for value in names.values()):
        problems.append(Problem(path, None, words("names_shape")))
        return None
    return {key: value.strip() for key, value in names.items()}


def _left_over(path: str, names: dict[str, str], used: Iterable[str]) -> list[Problem]:
    return [Problem(path, key, words("names_left_over")) for key in sorted(set(names) - set(used))]
