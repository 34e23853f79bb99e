"""Restricting a case to named people, and opening a case for a stated reason ("break glass").

An Inspector (the ``restrict_cases`` grant) restricts a case, for instance when the suspect works
for the force: then only the users named on it and Auditors read it, and only named users work
its tasks (``service.case_access``). The restricting user is named automatically. A restriction
that would leave an open task with no named user able to work it is refused, naming the lane,
so that a restricted case never stalls unseen.

Anyone who may start a case may open one they are not involved in, giving a reason: they read
it for ``CASE_ACCESS_HOURS`` (24 by default). Restricted cases are never opened this way.

Each is a command: one transaction, recorded in the case's history (``audit.trail``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from workflows.forms import justification_rule
from workflows.justification import holds_words

from .audit import trail as audit
from .auth import Actor
from .case_access import FULL, reading_of
from .db import db
from .messages import LiftRestriction, OpenCaseAccess, RestrictCase
from .models import (
    Case,
    CaseAccessGrant,
    CaseRestriction,
    CaseRestrictionUser,
    ProcessDefinition,
    Task,
    User,
    utcnow,
)
from .names import ShownNames
from .problems import ApiProblem, not_found
from .roles import role_catalogue, role_working

# The fewest characters a reason to restrict or open a case may have.
REASON_LENGTH = 10
OPEN = "open"

_TEXTS = {
    "reason": {
        "en": "Give the reason in words.",
        "cy": "Rhowch y rheswm mewn geiriau.",
    },
    "unknown_users": {
        "en": "There is no active user called {names}.",
        "cy": "Nid oes defnyddiwr gweithredol o'r enw {names}.",
    },
    "unworkable": {
        "en": "No one named on the restriction can work the open task '{task}' in the "
        "{lane} lane: name a user who holds the {role} role, so the case does not stall.",
        "cy": "Ni all neb a enwir ar y cyfyngiad weithio ar y dasg agored '{task}' yn lôn "
        "{lane}: enwch ddefnyddiwr sydd â rôl {role}, fel nad yw'r achos yn aros yn ei unfan.",
    },
    "not_restricted": {
        "en": "The case '{case}' is not restricted.",
        "cy": "Nid yw'r achos '{case}' wedi'i gyfyngu.",
    },
    "restricted": {
        "en": "This case is restricted: only the people named on its restriction read it. Ask "
        "the Inspector who restricted it if you need to see it.",
        "cy": "Mae'r achos hwn wedi'i gyfyngu: dim ond y bobl a enwir ar ei gyfyngiad sy'n ei "
        "ddarllen. Gofynnwch i'r Arolygydd a'i cyfyngodd os oes angen i chi ei weld.",
    },
    "may_not_start": {
        "en": "Only people who may start a case can look for earlier cases or open one: "
        "none of your roles starts a process.",
        "cy": "Dim ond pobl sy'n cael dechrau achos sy'n cael chwilio am achosion cynharach "
        "neu agor un: nid oes yr un o'ch rolau'n dechrau proses.",
    },
}


def _text(key: str, language: str, **values) -> str:
    texts = _TEXTS[key]
    return texts.get(language, texts["en"]).format(**values)


@dataclass(frozen=True)
class Restriction:
    case_id: str
    reason: str
    users: list[str]
    restricted_by: str
    restricted_at: datetime


def restriction(case_id: str) -> Restriction | None:
    """The case's restriction, or None."""
    row = db.session.get(CaseRestriction, case_id)
    if row is None:
        return None
    names = db.session.scalars(
        select(User.name)
        .join(CaseRestrictionUser, CaseRestrictionUser.user_id == User.id)
        .where(CaseRestrictionUser.case_id == case_id)
        .order_by(User.name)
    )
    by = db.session.get(User, row.restricted_by_id)
    return Restriction(case_id, row.reason, list(names), by.name, row.restricted_at)


def not_restricted(case_id: str, language: str) -> ApiProblem:
    return ApiProblem(404, "Not restricted", _text("not_restricted", language, case=case_id))


def restrict_case(command: RestrictCase) -> Restriction:
    """Restrict the case (or change its restriction) to the users named and the actor."""
    _case_read_in_full(command.actor, command.case_id)
    _check_reason(command.reason, command.language)
    users = _named_users(command)
    _check_every_open_task_workable(command.case_id, users, command.language)
    now = utcnow()
    db.session.execute(delete(CaseRestriction).where(CaseRestriction.case_id == command.case_id))
    db.session.execute(
        delete(CaseRestrictionUser).where(CaseRestrictionUser.case_id == command.case_id)
    )
    db.session.add(
        CaseRestriction(
            case_id=command.case_id,
            reason=command.reason.strip(),
            restricted_by_id=command.actor.id,
            restricted_at=now,
        )
    )
    db.session.flush()
    db.session.add_all(CaseRestrictionUser(case_id=command.case_id, user_id=u.id) for u in users)
    names = sorted(user.name for user in users)
    audit.case_restricted(command, names, _role_granting(command.actor, "restrict_cases"), now)
    db.session.commit()
    return restriction(command.case_id)


def lift_restriction(command: LiftRestriction) -> None:
    _case_read_in_full(command.actor, command.case_id)
    if db.session.get(CaseRestriction, command.case_id) is None:
        raise not_restricted(command.case_id, command.language)
    db.session.execute(
        delete(CaseRestrictionUser).where(CaseRestrictionUser.case_id == command.case_id)
    )
    db.session.execute(delete(CaseRestriction).where(CaseRestriction.case_id == command.case_id))
    role = _role_granting(command.actor, "restrict_cases")
    audit.restriction_lifted(command, role, utcnow())
    db.session.commit()


def open_case_access(command: OpenCaseAccess) -> CaseAccessGrant:
    """Let the actor read a case they are not involved in, for a while, for their reason."""
    check_may_start_cases(command.actor, command.language)
    if db.session.get(Case, command.case_id) is None:
        raise not_found("Case", command.case_id)
    if db.session.get(CaseRestriction, command.case_id) is not None:
        raise ApiProblem(403, "Restricted case", _text("restricted", command.language))
    _check_reason(command.reason, command.language)
    now = utcnow()
    grant = CaseAccessGrant(
        case_id=command.case_id,
        user_id=command.actor.id,
        reason=command.reason.strip(),
        granted_at=now,
        expires_at=now + timedelta(hours=current_app.config["CASE_ACCESS_HOURS"]),
    )
    db.session.add(grant)
    db.session.flush()
    audit.case_access_opened(command, grant.expires_at, _start_role(command.actor), now)
    db.session.commit()
    return grant


def access_openings(
    user: str | None = None, case_id: str | None = None, limit: int = 100
) -> list[dict]:
    """Cases opened for a stated reason, newest first, for Auditors to review."""
    statement = (
        select(CaseAccessGrant, User.name)
        .join(User, User.id == CaseAccessGrant.user_id)
        .order_by(CaseAccessGrant.granted_at.desc(), CaseAccessGrant.id.desc())
    )
    if user is not None:
        statement = statement.where(User.name == user)
    if case_id is not None:
        statement = statement.where(CaseAccessGrant.case_id == case_id)
    return [
        {
            "id": grant.id,
            "case_id": grant.case_id,
            "user": name,
            "reason": grant.reason,
            "granted_at": grant.granted_at,
            "expires_at": grant.expires_at,
        }
        for grant, name in db.session.execute(statement.limit(limit))
    ]


def may_start_cases(actor: Actor) -> bool:
    """Whether one of the actor's roles starts a process."""
    return _start_role(actor) is not None


def check_may_start_cases(actor: Actor, language: str) -> None:
    """Refuse (403) someone none of whose roles starts a process."""
    if not may_start_cases(actor):
        raise ApiProblem(403, "Forbidden", _text("may_not_start", language))


def _start_role(actor: Actor) -> str | None:
    """The actor's role that starts a process, by its English name (None when none does)."""
    lanes = role_catalogue().lanes_of(actor.role_names)
    lane = db.session.scalar(
        select(ProcessDefinition.start_lane)
        .where(ProcessDefinition.start_lane.in_(lanes))
        .order_by(ProcessDefinition.start_lane)
        .limit(1)
    )
    return role_working(lane, "en") if lane is not None else None


def _role_granting(actor: Actor, grant: str) -> str | None:
    catalogue = role_catalogue()
    holding = [role.name for role in catalogue.holding((grant,)) if role.name in actor.role_names]
    return holding[0] if holding else None


def _case_read_in_full(actor: Actor, case_id: str) -> None:
    if db.session.get(Case, case_id) is None or reading_of(actor, case_id) != FULL:
        raise not_found("Case", case_id)


def _check_reason(reason: str, language: str) -> None:
    if not holds_words(reason, REASON_LENGTH):
        rule = justification_rule(REASON_LENGTH, language)
        raise ApiProblem(
            422,
            "Unprocessable Content",
            f"{_text('reason', language)} ({rule})",
            errors=[{"field": "reason", "message": rule}],
        )


def _named_users(command: RestrictCase) -> list[User]:
    names = list(dict.fromkeys([*command.users, command.actor.name]))
    found = {
        user.name: user
        for user in db.session.scalars(
            select(User).where(User.name.in_(names), User.deactivated_at.is_(None))
        )
    }
    missing = [name for name in names if name not in found]
    if missing:
        text = _text("unknown_users", command.language, names=", ".join(map(repr, missing)))
        raise ApiProblem(
            422,
            "Unprocessable Content",
            text,
            errors=[{"field": "users", "message": text}],
        )
    return [found[name] for name in names]


def _check_every_open_task_workable(case_id: str, users: list[User], language: str) -> None:
    catalogue = role_catalogue()
    workable = catalogue.lanes_of(set().union(*(user.role_names for user in users)))
    for task in db.session.scalars(
        select(Task).where(Task.case_id == case_id, Task.status == OPEN).order_by(Task.id)
    ):
        if task.lane is None or task.lane in workable:
            continue
        role = role_working(task.lane, language)
        name = ShownNames(language).element(case_id, task.bpmn_id, task.name)
        text = _text("unworkable", language, task=name, lane=task.lane, role=role)
        raise ApiProblem(
            422,
            "A task would have no one to work it",
            text,
            errors=[{"field": "users", "message": text}],
            lane=task.lane,
        )
