"""Finding earlier reports: each case's match keys, kept by the commands that change its data,
and the search over them (``workflows.matching`` says which fields and how values are written).
"""

from collections.abc import Iterable

from sqlalchemy import and_, delete, func, insert, or_, select

from workflows.matching import KINDS, MatchField, match_keys, normalised

from .audit.reads import log_read
from .auth import Actor
from .catalogs import catalog_of
from .db import db
from .models import Case, CaseMatchKey, CaseRestriction, DefinitionVersion

_keys = CaseMatchKey.__table__
# At most this many earlier cases are answered, the most alike first.
MOST_MATCHES = 50


def keep_match_keys(
    case_id: str, old_data: dict | None, new_data: dict, fields: list[MatchField]
) -> None:
    """Inside a command's transaction: the case's keys for its new data. ``old_data`` is None
    for a new case. Nothing is written when the keys did not change (most commands), and they
    are not even worked out when none of the fields they come from changed."""
    if old_data is not None and all(
        old_data.get(root) == new_data.get(root) for root in {path[0] for path, _ in fields}
    ):
        return
    new = match_keys(new_data, fields)
    if old_data is not None:
        if match_keys(old_data, fields) == new:
            return
        db.session.execute(delete(_keys).where(_keys.c.case_id == case_id))
    if new:
        db.session.execute(
            insert(_keys), [{"case_id": case_id, "kind": k, "value": v} for k, v in sorted(new)]
        )


def search_keys(criteria: dict[str, str]) -> dict[str, str]:
    """The criteria given, each written the way keys are kept; a criterion that cannot be a
    value of its kind (a date that is no date) raises ValueError naming it."""
    keys = {}
    for kind in KINDS:
        if criteria.get(kind) is None:
            continue
        value = normalised(kind, criteria[kind])
        if value is None:
            raise ValueError(kind)
        keys[kind] = value
    return keys


def matching_cases(
    actor: Actor, keys: Iterable[tuple[str, str]]
) -> list[tuple[Case, list[str], bool]]:
    """Cases holding any of the (kind, value) keys, each with the kinds it matched on and
    whether it is restricted; those matching on more kinds first, then the newest. The search,
    and what was searched for, is in the read log: it is a look at personal data."""
    keys = sorted(set(keys))
    found: dict[str, set[str]] = {}
    if keys:
        rows = db.session.execute(
            select(_keys.c.case_id, _keys.c.kind).where(
                or_(*(and_(_keys.c.kind == kind, _keys.c.value == value) for kind, value in keys))
            )
        )
        for case_id, kind in rows:
            found.setdefault(case_id, set()).add(kind)
    ranked: list[Case] = []
    restricted: set[str] = set()
    if found:
        cases = db.session.scalars(select(Case).where(Case.id.in_(found)))
        restricted = set(
            db.session.scalars(
                select(CaseRestriction.case_id).where(CaseRestriction.case_id.in_(found))
            )
        )
        ranked = sorted(
            cases, key=lambda case: (-len(found[case.id]), -case.created_at.timestamp())
        )[:MOST_MATCHES]
    searched = [list(key) for key in keys]
    log_read(actor, "case.matches", detail={"searched": searched, "found": len(ranked)})
    return [
        (case, [kind for kind in KINDS if kind in found[case.id]], case.id in restricted)
        for case in ranked
    ]


def reindex_all() -> int:
    """Write every case's keys again, from the fields its own version marks and those the
    newest version marks (cases started before a field was marked are found by it too);
    return how many cases hold a key. Committed."""
    newest = db.session.scalar(select(func.max(DefinitionVersion.id)))
    if newest is None:
        return 0
    newest_fields = catalog_of(newest).match_fields
    db.session.execute(delete(_keys))
    holding = 0
    for case in db.session.scalars(select(Case).execution_options(yield_per=500)):
        fields = {*catalog_of(case.definition_version_id).match_fields, *newest_fields}
        keys = match_keys(case.data or {}, fields)
        if keys:
            holding += 1
            db.session.execute(
                insert(_keys), [{"case_id": case.id, "kind": k, "value": v} for k, v in keys]
            )
    db.session.commit()
    return holding
