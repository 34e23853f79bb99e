"""Reading diagrams and decision tables, which are untrusted input: no entities, no DTDs, no
network and no huge trees, so a file cannot read the server's files or exhaust its memory."""

from lxml import etree

SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
)
