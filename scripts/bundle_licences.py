"""Print the licence of every npm package a bundle is built from, as each package ships it
(bpmn-js's with the bpmn.io watermark clause it requires), reading the esbuild metafile that
`make vendor` writes beside the bundle:

    python scripts/bundle_licences.py meta.json > LICENCES.txt

A package with no licence file gets the MIT text with its holder (scripts/licence.py); any
other licence without a file stops the build, to be checked by hand.
"""

import json
import sys
from pathlib import Path

from licence import mit_licence

NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "license", "COPYING")


def packages(metafile: Path) -> list[Path]:
    """The package folders (node_modules/<name> or node_modules/@scope/<name>) of the inputs."""
    meta = json.loads(metafile.read_text(encoding="utf-8"))
    found = set()
    for output in meta["outputs"].values():
        for source in output["inputs"]:
            if "node_modules/" not in source:
                continue
            head, tail = source.rsplit("node_modules/", 1)
            parts = tail.split("/")
            name = "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]
            found.add(Path(head) / "node_modules" / name)
    return sorted(found, key=lambda path: path.as_posix())


def licence(package: Path) -> str:
    manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
    for name in NAMES:
        if (package / name).is_file():
            text = (package / name).read_text(encoding="utf-8").strip()
            return (
                f"{manifest['name']} {manifest['version']} ({manifest.get('license')})\n\n{text}\n"
            )
    return mit_licence(package)


def main(metafile: Path) -> None:
    texts = [licence(package) for package in packages(metafile)]
    print(f"{'-' * 79}\n".join(texts), end="")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
