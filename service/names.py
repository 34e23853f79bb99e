"""Names of processes, tasks and timers as a reader sees them: in their language.

The database keeps each name as the diagram wrote it (English, the record); the Welsh comes
from the names beside the diagram of the case's own definition version (workflows.names).
"""

from __future__ import annotations

from sqlalchemy import select

from workflows.names import ElementNames

from .db import db
from .definitions import runner_for
from .models import Case


class ShownNames:
    """Names in one reader's language. Looks up each case's version once, and reads nothing
    at all for English."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._cases: dict[str, tuple[int, str]] = {}  # case id -> (version, process id)
        self._versions: dict[int, ElementNames] = {}

    def know(self, case: Case) -> ShownNames:
        self._cases[case.id] = (case.definition_version_id, case.process_id)
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
        return self._names(version_id).name(english, element_id, self.language, process_id)

    def process(self, version_id: int, process_id: str, english: str) -> str:
        if self.language == "en":
            return english
        return self._names(version_id).name(english, process_id, self.language, process_id)

    def _names(self, version_id: int) -> ElementNames:
        if version_id not in self._versions:
            self._versions[version_id] = runner_for(version_id).catalog.names
        return self._versions[version_id]
