"""Restricting a case to named people, opening a case for a stated reason ("break glass"), and
finding earlier cases by a name, a date of birth, a phone number or a STORM reference
(service.restrictions, service.matching)."""

from ..audit.reads import log_read
from ..auth import current_user
from ..case_access import readable_case
from ..matching import matching_cases, search_keys
from ..messages import LiftRestriction, OpenCaseAccess, RestrictCase
from ..problems import ApiProblem
from ..restrictions import (
    check_may_start_cases,
    lift_restriction,
    not_restricted,
    open_case_access,
    restrict_case,
    restriction,
)
from .access import require_grant
from .access_schemas import (
    CaseAccessBodySchema,
    CaseAccessSchema,
    MatchQuerySchema,
    MatchSchema,
    RestrictionBodySchema,
    RestrictionSchema,
)
from .blueprint import Blueprint
from .language import request_language
from .representations import shown_names
from .schemas import PROBLEM

blp = Blueprint("restrictions", __name__, url_prefix="/cases")

_NOT_A_VALUE = {
    "en": "'{kind}' is not a value a case could hold: {rule}",
    "cy": "Nid yw '{kind}' yn werth y gallai achos ei gynnwys: {rule}",
}
_RULES = {
    "date_of_birth": {"en": "write it like 1990-04-23", "cy": "ysgrifennwch ef fel 1990-04-23"},
    "phone": {
        "en": "write at least six figures, like 01267 226440",
        "cy": "ysgrifennwch o leiaf chwe ffigur, fel 01267 226440",
    },
}


@blp.get("/matches")
@blp.arguments(MatchQuerySchema(), location="query")
@blp.response(200, MatchSchema(many=True))
@blp.alt_response(400, description="A value no case could hold, each named", **PROBLEM)
@blp.alt_response(403, description="None of the caller's roles starts a case", **PROBLEM)
def matches(query):
    """Earlier cases holding any of the values given, in minimal form (no details), for anyone
    who may start a case: repeat reports are how stalking is spotted. Names, phone numbers and
    STORM references match however they are spaced or capitalised."""
    actor, language = current_user(), request_language()
    check_may_start_cases(actor, language)
    try:
        keys = search_keys(query)
    except ValueError as error:
        kind = str(error)
        rule = _RULES.get(kind, {}).get(language) or _RULES.get(kind, {}).get("en", "")
        text = _NOT_A_VALUE.get(language, _NOT_A_VALUE["en"]).format(kind=kind, rule=rule)
        raise ApiProblem(
            400, "Bad Request", text, errors=[{"field": kind, "message": rule}]
        ) from None
    found = matching_cases(actor, keys.items())
    names = shown_names()
    return [
        {
            "case_id": case.id,
            "process_id": case.process_id,
            "process_name": names.process(case.definition_version_id, case.process_id),
            "status": case.status,
            "started_at": case.created_at,
            "restricted": restricted,
            "matched_on": kinds,
        }
        for case, kinds, restricted in found
    ]


@blp.get("/<case_id>/restriction")
@blp.response(200, RestrictionSchema)
@blp.alt_response(404, description="No such case, or it is not restricted", **PROBLEM)
def get_restriction(case_id: str):
    """The case's restriction: its reason and the users named on it."""
    actor = current_user()
    readable_case(actor, case_id, "case.restriction")
    found = restriction(case_id)
    if found is None:
        raise not_restricted(case_id, request_language())
    log_read(actor, "case.restriction", case_id)
    return found


@blp.put("/<case_id>/restriction")
@blp.arguments(RestrictionBodySchema())
@blp.response(200, RestrictionSchema)
@blp.alt_response(403, description="The caller's roles cannot restrict cases", **PROBLEM)
@blp.alt_response(404, description="No such case, or not one the caller may read", **PROBLEM)
@blp.alt_response(
    422,
    description="No reason in words, a user who is not an active user, or an open task no "
    "named user could work (the lane is named)",
    **PROBLEM,
)
def put_restriction(body, case_id: str):
    """Restrict the case to the users named (and the caller), or change its restriction: then
    only they and Auditors read it, and only they work its tasks."""
    actor = require_grant("restrict_cases")
    command = RestrictCase(case_id, body["reason"], tuple(body["users"]), actor, request_language())
    return restrict_case(command)


@blp.delete("/<case_id>/restriction")
@blp.response(204)
@blp.alt_response(403, description="The caller's roles cannot restrict cases", **PROBLEM)
@blp.alt_response(404, description="No such case, or it is not restricted", **PROBLEM)
def delete_restriction(case_id: str):
    """Lift the case's restriction."""
    actor = require_grant("restrict_cases")
    lift_restriction(LiftRestriction(case_id, actor, request_language()))


@blp.post("/<case_id>/access")
@blp.arguments(CaseAccessBodySchema())
@blp.response(201, CaseAccessSchema)
@blp.alt_response(
    403,
    description="The case is restricted, or none of the caller's roles starts a case",
    **PROBLEM,
)
@blp.alt_response(404, description="No such case", **PROBLEM)
@blp.alt_response(422, description="No reason in words", **PROBLEM)
def open_access(body, case_id: str):
    """Open a case one is not involved in ("break glass"), giving the reason: it can then be
    read for a while (24 hours unless the service says otherwise). Auditors review every
    opening; restricted cases are never opened this way."""
    actor = current_user()
    grant = open_case_access(OpenCaseAccess(case_id, body["reason"], actor, request_language()))
    return {
        "id": grant.id,
        "case_id": grant.case_id,
        "user": actor.name,
        "reason": grant.reason,
        "granted_at": grant.granted_at,
        "expires_at": grant.expires_at,
    }
