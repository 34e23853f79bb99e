"""The style attributes dmn-js writes in its markup, which the pages' content security policy
(``style-src 'self'``) refuses: the decision table editor's page alone allows these exact
values, by hash (``'unsafe-hashes'``), and nothing else inline.

Most are the bpmn.io watermark and the notice it opens, which dmn-js's licence requires to be
shown as it is and its code left unchanged (``dmn-js-shared/lib/util/PoweredByUtil.js``); the
last is the blank image a row or column is dragged by. ``tests/test_modeller_pages.py``
checks that each is still what the vendored bundle writes.
"""

import base64
import hashlib

# Written as they are in dmn-js's code.
WRITTEN = (
    # The watermark: the link and its logo.
    "position: absolute; bottom: 15px; right: 15px; z-index: 100;",
    "vertical-align:middle",
    # The notice's link.
    "margin: 15px 20px 15px 10px; align-self: center;",
    # The drag image.
    "\n          visibility: hidden;\n          position: fixed;\n          top: -10000px\n      ",
)
# Joined from their parts with ";" (the notice the watermark opens: its box, backdrop and text).
JOINED = (
    ("z-index: 1001", "position: fixed", "top: 0", "left: 0", "right: 0", "bottom: 0"),
    ("width: 100%", "height: 100%", "background: rgba(40,40,40,0.2)"),
    (
        "position: absolute",
        "left: 50%",
        "top: 40%",
        "transform: translate(-50%)",
        "width: 260px",
        "padding: 10px",
        "background: white",
        "box-shadow: 0 1px 4px rgba(0,0,0,0.3)",
        "font-family: Helvetica, Arial, sans-serif",
        "font-size: 14px",
        "display: flex",
        "line-height: 1.3",
    ),
)
DMN_STYLE_ATTRIBUTES = (*WRITTEN, *(";".join(parts) for parts in JOINED))


def dmn_style_sources() -> tuple[str, ...]:
    """What the decision table editor's page adds to ``style-src``."""
    hashes = (
        base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
        for value in DMN_STYLE_ATTRIBUTES
    )
    return ("'unsafe-hashes'", *(f"'sha256-{digest}'" for digest in hashes))
