"""Names of processes, tasks and timers as a reader sees them: in their language.

The database keeps each name as the diagram wrote it (English, the record); the Welsh comes
from the names beside the diagram of the case's own definition version (workflows.names).
"""

from __future__ import annotations

from sqlalchemy import select

from workflows.catalog import Catalog

from .db import db
from .definitions import runner_for
from .models import Case


class ShownNames:
    """Names in one reader's language. Looks up each case's version and each version's catalog
    once, however many tasks, timers or cases are shown; task and timer names in English need
    no lookup at all."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._cases: dict[str, tuple[int, str]] = {}  # case id -> (version, process id)
        self._catalogs: dict[int, Catalog] = {}

    def know(self, case: Case, catalog: Catalog | None = None) -> ShownNames:
        """Know the case's version and process, and the version's catalog when the caller
        holds it already (a command that just ran on it), so that it is not looked up."""
        self._cases[case.id] = (case.definition_version_id, case.process_id)
        if catalog is not None:
            self._catalogs[case.definition_version_id] = catalog
        return self

    def know_cases(self, case_ids) -> ShownNames:
        """Look up these cases' versions at once (a list of tasks or timers)."""
        wanted = {case_id for case_id in case_ids if case_id not in self._cases}
        if self.language != "en" and wanted:
            rows = db.session.execute(
                select(Case.id, Case.definition_version_id, Case.process_id).where(
                    Case.id.in_(wanted)
                )
            )
            for case_id, version_id, process_id in rows:
                self._cases[case_id] = (version_id, process_id)
        return self

    def element(self, case_id: str, element_id: str, english: str) -> str:
        """A task's or timer's name, from the version its case runs on."""
        if self.language == "en":
            return english
        self.know_cases([case_id])
        if case_id not in self._cases:
            return english
        version_id, process_id = self._cases[case_id]
        names = self._catalog(version_id).names
        return names.name(english, element_id, self.language, process_id)

    def process(self, version_id: int, process_id: str) -> str:
        """A process's name, as the version names it (its id if the version has no such
        process)."""
        catalog = self._catalog(version_id)
        info = catalog.processes.get(process_id)
        english = info.name if info is not None else process_id
        return catalog.names.name(english, process_id, self.language, process_id)

    def _catalog(self, version_id: int) -> Catalog:
        if version_id not in self._catalogs:
            self._catalogs[version_id] = runner_for(version_id).catalog
        return self._catalogs[version_id]
