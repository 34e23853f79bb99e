"""What a caller may do beyond their lanes' work: the grants their roles hold in the role
catalogue (roles.toml), so a force gives a grant to another role by editing that file; and
which cases they may read is ``service.case_access``'s to say."""

from ..auth import Actor, current_user
from ..problems import ApiProblem
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
