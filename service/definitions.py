"""Definition versions: deploy a validated set of files once, and run cases on any version.

A version never changes after it is stored, so its parsed specs are cached per process.
"""

import threading
from pathlib import Path

from sqlalchemy import select

from workflows import outside_reads
from workflows.catalog import build_catalog, content_hash, read_definition_files
from workflows.diagram_functions import DIAGRAM_FUNCTIONS
from workflows.runner import Runner
from workflows.sandbox import make_script_engine

from .db import db
from .models import DefinitionFile, DefinitionVersion, ProcessDefinition
from .reporting import report_figures

# Keyed by content hash: the same files make the same runner, whatever database holds them.
_runners: dict[str, Runner] = {}
_runners_lock = threading.Lock()


def deploy(files: dict[str, bytes], actor: str | None) -> tuple[DefinitionVersion, bool]:
    """Store the files as a new version; return it and whether it is new.

    Raises DefinitionProblems, listing every problem, when the set is not valid.
    """
    existing = _version_by_hash(content_hash(files))
    if existing is not None:
        return existing, False
    catalog = build_catalog(files)
    version = DefinitionVersion(
        content_hash=catalog.content_hash,
        created_by=actor,
        files=[DefinitionFile(path=path, content=content) for path, content in files.items()],
        processes=[
            ProcessDefinition(
                process_id=info.id,
                name=info.name,
                file=info.file,
                start_form=info.start_form,
                start_lane=info.start_lane,
            )
            for info in catalog.processes.values()
        ],
    )
    db.session.add(version)
    db.session.flush()
    with _runners_lock:
        _runners.setdefault(catalog.content_hash, _runner(catalog))
    return version, True


def deploy_directory(root: Path, actor: str | None) -> tuple[DefinitionVersion, bool]:
    return deploy(read_definition_files(root), actor)


def latest_files() -> dict[str, bytes]:
    latest = db.session.scalar(select(DefinitionVersion).order_by(DefinitionVersion.id.desc()))
    return {f.path: f.content for f in latest.files} if latest else {}


def latest_process(process_id: str) -> ProcessDefinition | None:
    return db.session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version_id.desc())
    )


def latest_processes() -> list[ProcessDefinition]:
    rows = db.session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.version_id.desc())
    )
    latest: dict[str, ProcessDefinition] = {}
    for row in rows:
        latest.setdefault(row.process_id, row)
    return sorted(latest.values(), key=lambda row: row.process_id)


def _runner(catalog) -> Runner:
    # Diagrams may also read the service's performance figures (the reporting process does).
    # The figures depend on other cases, so each read is kept with the command for replay.
    figures = outside_reads.recorded("report_figures", report_figures)
    return Runner(catalog, make_script_engine({**DIAGRAM_FUNCTIONS, "report_figures": figures}))


def runner_for(version_id: int, digest: str | None = None) -> Runner:
    """The runner of a stored version, building its catalog on first use in this process."""
    if digest is None:
        digest = db.session.scalar(
            select(DefinitionVersion.content_hash).where(DefinitionVersion.id == version_id)
        )
    runner = _runners.get(digest)
    if runner is not None:
        return runner
    version = db.session.get(DefinitionVersion, version_id)
    catalog = build_catalog({f.path: f.content for f in version.files})
    with _runners_lock:
        return _runners.setdefault(digest, _runner(catalog))


def _version_by_hash(digest: str) -> DefinitionVersion | None:
    return db.session.scalar(
        select(DefinitionVersion).where(DefinitionVersion.content_hash == digest)
    )
