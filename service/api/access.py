"""What a caller may do beyond their lanes' work: the grants their roles hold in the role
catalogue (roles.toml), so a force gives a grant to another role by editing that file; and
which cases they may read (``service.case_access``)."""

from ..audit.reads import log_read
from ..auth import Actor, current_user
from ..case_access import reading_of
from ..db import db
from ..models import Case, Task
from ..problems import ApiProblem, not_found
from ..roles import role_catalogue
from .language import request_language

_NEEDS_GRANT = {
    "en": "This needs a role with the grant {grants} ({roles}). Your roles: {held}.",
    "cy": "Mae angen rôl sydd â'r hawl {grants} i wneud hyn ({roles}). Eich rolau: {held}.",
}
_OR = {"en": " or ", "cy": " neu "}
_NONE = {"en": "none", "cy": "dim"}


def require_grant(*grants: str) -> Actor:
    """The caller, if one of their roles holds one of the grants; otherwise 403 naming the
    roles that do, in the caller's language."""
    user = current_user()
    catalogue = role_catalogue()
    if catalogue.grants_of(user.role_names).intersection(grants):
        return user
    language = request_language()
    held = [role.shown_name(language) for role in catalogue.roles if role.name in user.role_names]
    text = _NEEDS_GRANT[language].format(
        grants=_OR[language].join(grants),
        roles=", ".join(role.shown_name(language) for role in catalogue.holding(grants)),
        held=", ".join(held) or _NONE[language],
    )
    raise ApiProblem(403, "Forbidden", text)


def readable_case(actor: Actor, case_id: str, action: str) -> tuple[Case, str]:
    """The case and how the actor reads it (``case_access.FULL`` or ``WITHHELD``). A case they
    may not read does not exist for them: 404, as for no such case, and the refusal is in the
    read log as ``<action>.refused``."""
    case = db.session.get(Case, case_id)
    if case is None or (reading := _reading(actor, case_id, action)) is None:
        raise not_found("Case", case_id)
    return case, reading


def readable_task(actor: Actor, task: Task, action: str) -> str:
    """How the actor reads the task's case; 404, as for no such task, when they may not."""
    reading = _reading(actor, task.case_id, action, task.id)
    if reading is None:
        raise not_found("Task", task.id)
    return reading


def _reading(actor: Actor, case_id: str, action: str, task_id: str | None = None) -> str | None:
    reading = reading_of(actor, case_id)
    if reading is None:
        log_read(actor, f"{action}.refused", case_id, task_id)
    return reading
