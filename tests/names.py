"""Welsh names for the small diagrams tests write: every diagram must have them to deploy."""

import json

from lxml import etree

from workflows.names import named_elements, names_path


def with_welsh_names(files: dict) -> dict:
    """The files, with a names file beside each diagram that has none (test Welsh: "cy: ...")."""
    added = {}
    for path, content in files.items():
        if not path.endswith(".bpmn") or names_path(path) in files:
            continue
        text = content.encode() if isinstance(content, str) else content
        try:
            root = etree.fromstring(text)
        except etree.XMLSyntaxError:
            continue  # a test of a broken diagram: its problem is the one that matters
        names = {}
        for process in root.iterfind("{*}process"):
            names.update({key: f"cy: {name}" for key, name in named_elements(process).items()})
        added[names_path(path)] = json.dumps({"names": names}, ensure_ascii=False).encode()
    return {**files, **added}
