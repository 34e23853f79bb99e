"""Print the licence of an npm package that ships none as a file: its package.json names the
licence (MIT here) and its README the holder, so the MIT text is written out with them.

    python scripts/licence.py node_modules/govuk-frontend > LICENCE.txt
"""

import json
import re
import sys
from pathlib import Path

MIT = """MIT License

Copyright (c) {holder}

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def mit_licence(package: Path) -> str:
    """The MIT licence of a package shipping none as a file, with its holder filled in."""
    manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if manifest.get("license") != "MIT":
        raise SystemExit(f"{package}: licence {manifest.get('license')!r}, not MIT: check it")
    author = manifest.get("author")
    holder = author.get("name") if isinstance(author, dict) else author
    readme = (package / "README.md").read_text(encoding="utf-8")
    if re.search(r"Crown\s+copyright", readme, re.IGNORECASE):
        holder = f"Crown copyright, {holder}"
    return f"{manifest['name']} {manifest['version']}\n\n" + MIT.format(holder=holder)


def main(package: Path) -> None:
    print(mit_licence(package), end="")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
