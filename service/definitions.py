"""Definition versions: deploy a validated set of files once, and run cases on any version.

A version never changes after it is stored, so its parsed catalog is cached per process.
Commands run in engine processes under the configured limits (workflows.isolation), unless
ENGINE_ISOLATED is off, when they run here with the engine's own step and data limits only.
"""

import threading
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from workflows import outside_reads
from workflows.catalog import Catalog, build_catalog, content_hash, read_definition_files
from workflows.isolation import IsolatedRunner
from workflows.limits import EngineLimits
from workflows.problems import DefinitionProblems, Problem
from workflows.runner import Runner
from workflows.sandbox import make_script_engine

from .catalogs import catalog_of, keep
from .db import db
from .models import Case, DefinitionFile, DefinitionVersion, ProcessDefinition
from .reporting import report_figures
from .roles import role_catalogue

# Runners by content hash and the settings they run with.
_runners: dict[tuple, Runner | IsolatedRunner] = {}
_lock = threading.Lock()


def deploy(files: dict[str, bytes], actor: str | None) -> tuple[DefinitionVersion, bool]:
    """Store the files as a new version, committed; return it and whether it is new.

    Raises DefinitionProblems, listing every problem, when the set is not valid: then nothing
    is stored.
    """
    existing = _version_by_hash(content_hash(files))
    if existing is not None:
        return existing, False
    try:
        catalog = validate(files)
    except DefinitionProblems:
        db.session.rollback()
        raise
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
    db.session.commit()
    keep(catalog)
    return version, True


def validate(files: dict[str, bytes]) -> Catalog:
    """Check a set of files as deployment does, against the role catalogue's lanes, storing
    nothing: the catalog it would deploy, or DefinitionProblems listing every problem."""
    return build_catalog(files, lanes=role_catalogue().lanes)


def check(files: dict[str, bytes]) -> list[Problem]:
    """Every problem deployment would find with these files (none: they would deploy)."""
    try:
        validate(files)
    except DefinitionProblems as error:
        return error.problems
    return []


def with_edits(edits: dict[str, bytes]) -> dict[str, bytes]:
    """The latest version's files with the edited ones laid over them, as deployment lays an
    upload over them."""
    return {**latest_files(), **edits}


def deploy_directory(root: Path, actor: str | None) -> tuple[DefinitionVersion, bool]:
    return deploy(read_definition_files(root), actor)


def latest_version() -> DefinitionVersion | None:
    """The newest version: the one new cases start on (each holds every process's files)."""
    return db.session.scalar(select(DefinitionVersion).order_by(DefinitionVersion.id.desc()))


def latest_files() -> dict[str, bytes]:
    latest = latest_version()
    return {f.path: f.content for f in latest.files} if latest else {}


# The folders a version's files live in, as `read_definition_files` reads them back.
FOLDERS = ("bpmn", "forms", "letters")


def export_version(directory: Path, version: DefinitionVersion) -> tuple[list[str], list[str]]:
    """Write a version's files under ``directory`` (``bpmn/``, ``forms/``, ``letters/``), as
    ``flask definitions load`` reads them, so that process owners can commit what is deployed.

    Returns the paths written and the files already in those folders that the version does not
    hold (left as they are: an export never deletes). A stored path that would lead outside
    ``directory`` is refused before anything is written."""
    root = directory.resolve()
    targets = {}
    for stored in version.files:
        target = (root / stored.path).resolve()
        parts = Path(stored.path).parts
        if not parts or parts[0] not in FOLDERS or not target.is_relative_to(root / parts[0]):
            raise ValueError(
                f"version {version.id} holds a file named '{stored.path}', which "
                "is not under bpmn/, forms/ or letters/; nothing was written"
            )
        targets[target] = stored.content
    for target, content in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    held = set(targets)
    others = sorted(
        path.relative_to(root).as_posix()
        for folder in FOLDERS
        if (root / folder).is_dir()
        for path in (root / folder).rglob("*")
        if path.is_file() and path.resolve() not in held
    )
    return sorted(target.relative_to(root).as_posix() for target in targets), others


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


def case_exists(case_id: str) -> bool:
    with db.session.no_autoflush:
        return db.session.get(Case, case_id) is not None


def host_functions() -> dict:
    """What diagrams and forms may ask of the service.

    Diagrams may read the service's performance figures (the reporting process does); the
    figures depend on other cases, so each read is kept with the command for replay. Forms
    ask whether a case they link to exists.
    """
    return {
        "report_figures": outside_reads.recorded("report_figures", report_figures),
        "case_exists": case_exists,
    }


def engine_limits() -> EngineLimits:
    config = current_app.config
    return EngineLimits(
        cpu_seconds=config["ENGINE_CPU_SECONDS"],
        timer_cpu_seconds=config["ENGINE_TIMER_CPU_SECONDS"],
        memory_mb=config["ENGINE_MEMORY_MB"],
        max_steps=config["ENGINE_MAX_STEPS"],
        max_data_bytes=config["ENGINE_MAX_DATA_BYTES"],
    )


def runner_for(version_id: int, digest: str | None = None) -> Runner | IsolatedRunner:
    """The runner of a stored version, building its catalog on first use in this process."""
    catalog = catalog_of(version_id, digest)
    config = current_app.config
    key = (catalog.content_hash, engine_limits(), config["ENGINE_FRESH"], config["ENGINE_ISOLATED"])
    runner = _runners.get(key)
    if runner is None:
        with _lock:
            runner = _runners.setdefault(key, _runner(catalog, *key[1:]))
    return runner


def _runner(catalog: Catalog, limits: EngineLimits, fresh: bool, isolated: bool):
    host = host_functions()
    if isolated:
        return IsolatedRunner(catalog, host, limits, fresh=fresh)
    host.pop("case_exists")  # the forms' lookup, set by the app (see service.create_app)
    engine = make_script_engine(host)
    return Runner(catalog, engine, fresh=fresh, limits=limits)


def warm_up(version_ids) -> None:
    """Load these versions now, and start the engine processes that run them (with their
    spare), so the first command on them does not wait for either."""
    for version_id in version_ids:
        runner_for(version_id).instructions(None, {})


def _version_by_hash(digest: str) -> DefinitionVersion | None:
    return db.session.scalar(
        select(DefinitionVersion).where(DefinitionVersion.content_hash == digest)
    )
