"""What process owners see of the deployed definitions: each process with the versions that
hold it and the cases running on each, and the latest version's decision tables and forms."""

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select

from workflows.safe_xml import SAFE_XML

from .db import db
from .models import Case, DefinitionFile, DefinitionVersion, ProcessDefinition

RUNNING = "running"


@dataclass(frozen=True)
class VersionRow:
    id: int
    content_hash: str
    created_by: str | None
    created_at: datetime
    running: int


@dataclass
class ProcessVersions:
    process_id: str
    name: str
    file: str
    versions: list[VersionRow] = field(default_factory=list)  # newest first

    @property
    def running(self) -> int:
        return sum(version.running for version in self.versions)


@dataclass(frozen=True)
class DefinitionFileRow:
    path: str
    title: str  # a decision table's decisions, a form's title, or the file's own name


def process_versions() -> list[ProcessVersions]:
    """Every process, by id, with each version that holds it (newest first) and how many of
    its cases run on each: two queries, however many versions and cases there are."""
    running = {
        (process_id, version_id): count
        for process_id, version_id, count in db.session.execute(
            select(Case.process_id, Case.definition_version_id, func.count())
            .where(Case.status == RUNNING)
            .group_by(Case.process_id, Case.definition_version_id)
        )
    }
    rows = db.session.execute(
        select(
            ProcessDefinition.process_id,
            ProcessDefinition.name,
            ProcessDefinition.file,
            DefinitionVersion.id,
            DefinitionVersion.content_hash,
            DefinitionVersion.created_by,
            DefinitionVersion.created_at,
        )
        .join(DefinitionVersion, ProcessDefinition.version_id == DefinitionVersion.id)
        .order_by(ProcessDefinition.process_id, DefinitionVersion.id.desc())
    )
    processes: dict[str, ProcessVersions] = {}
    for process_id, name, path, version_id, content_hash, created_by, created_at in rows:
        # The newest version comes first: it gives the process its name and file.
        process = processes.setdefault(process_id, ProcessVersions(process_id, name, path))
        process.versions.append(
            VersionRow(
                version_id,
                content_hash,
                created_by,
                created_at,
                running.get((process_id, version_id), 0),
            )
        )
    return list(processes.values())


def decision_tables(files: dict[str, bytes]) -> list[DefinitionFileRow]:
    """A version's decision tables, each named by its decisions."""
    tables = []
    for path, content in sorted(files.items()):
        if not path.endswith(".dmn"):
            continue
        try:
            root = etree.fromstring(content, SAFE_XML)
        except etree.XMLSyntaxError:
            continue  # a deployed version was checked: this does not happen, but never fails
        names = [
            decision.get("name") or decision.get("id") or ""
            for decision in root.iter("{*}decision")
        ]
        tables.append(DefinitionFileRow(path, ", ".join(filter(None, names)) or path))
    return tables


def form_files(forms: dict, language: str = "en") -> list[DefinitionFileRow]:
    """A version's forms (``Catalog.forms``), each by its title in ``language``."""
    return [
        DefinitionFileRow(name, (form.localized(language)[0].get("title") or name))
        for name, form in sorted(forms.items())
    ]


@dataclass(frozen=True)
class VersionSummary:
    id: int
    created_by: str | None
    created_at: datetime


def versions_holding(process_id: str) -> list[int]:
    """The versions that hold a process, newest first (none for a process never deployed)."""
    return list(
        db.session.scalars(
            select(ProcessDefinition.version_id)
            .where(ProcessDefinition.process_id == process_id)
            .order_by(ProcessDefinition.version_id.desc())
        )
    )


def all_versions() -> list[VersionSummary]:
    """Every version, newest first (a version holds every process's files)."""
    return [
        VersionSummary(*row)
        for row in db.session.execute(
            select(
                DefinitionVersion.id, DefinitionVersion.created_by, DefinitionVersion.created_at
            ).order_by(DefinitionVersion.id.desc())
        )
    ]


def version_files(version_id: int) -> dict[str, bytes]:
    """A version's files by path (none when there is no such version)."""
    return {
        path: content
        for path, content in db.session.execute(
            select(DefinitionFile.path, DefinitionFile.content).where(
                DefinitionFile.version_id == version_id
            )
        )
    }


def form_users(files: dict[str, bytes], form: str) -> list[dict]:
    """The start events and tasks of a version's diagrams whose form is ``form``."""
    schema = f"{form}.schema.json"
    users = []
    for path, content in sorted(files.items()):
        if not path.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(content, SAFE_XML)
        except etree.XMLSyntaxError:
            continue  # a deployed version was checked: this does not happen, but never fails
        for prop in root.iter("{*}property"):
            if prop.get("name") != "formJsonSchemaFilename" or prop.get("value") != schema:
                continue
            element = prop.getparent().getparent().getparent()
            users.append(
                {
                    "file": path,
                    "element_id": element.get("id"),
                    "name": element.get("name") or element.get("id"),
                }
            )
    return users
