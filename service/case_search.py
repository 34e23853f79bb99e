"""Finding cases an auditor may read: by reference, the first eight characters of it or a STORM
reference, or the ones that changed last. Read models for the pages, as the rule of who may
read a case (``service.case_access``) lists them."""

from sqlalchemy import or_, select

from workflows.matching import normalised

from .auth import Actor
from .case_access import readable_cases
from .db import db
from .models import Case, CaseMatchKey


def find_cases(actor: Actor, text: str) -> list[Case]:
    """Cases the actor may read whose id, first eight characters of it, or STORM reference is
    ``text``."""
    text = text.strip()
    if not text:
        return []
    matches = [Case.id == text.lower()]
    if len(text) >= 8 and all(c in "0123456789abcdef-" for c in text.lower()):
        matches.append(Case.id.startswith(text.lower()))
    storm = normalised("storm_reference", text)
    if storm:
        keyed = select(CaseMatchKey.case_id).where(
            CaseMatchKey.kind == "storm_reference", CaseMatchKey.value == storm
        )
        matches.append(Case.id.in_(keyed))
    statement = (
        select(Case)
        .where(or_(*matches), readable_cases(actor))
        .order_by(Case.created_at.desc())
        .limit(20)
    )
    return list(db.session.scalars(statement))


def recent_cases(actor: Actor, limit: int = 20) -> list[Case]:
    """The cases the actor may read that changed last."""
    statement = (
        select(Case).where(readable_cases(actor)).order_by(Case.updated_at.desc()).limit(limit)
    )
    return list(db.session.scalars(statement))
