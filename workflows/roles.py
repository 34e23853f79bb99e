"""The role catalogue: the roles Gwarchod authorises against, read from ``roles.toml``.

Lanes in diagrams are work for roles: a user task in the "Sergeant" lane reaches the inbox of
users holding the role that works that lane. Each role has a name in English and Welsh, the
lanes it works and its grants, what its holders may do beyond their lanes' work. A force adds
a role, renames a lane or gives a grant to another role by editing the file alone.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

GRANTS = (
    "read_all_cases",
    "administer",
    "deploy_definitions",
    "audit",
    "restrict_cases",
    "assign_tasks",
    "reports",
)
ROLE_KEYS = ("name", "name_cy", "lanes", "grants")
# The lengths the database keeps (user_roles.role, tasks.lane).
MAX_ROLE_NAME = 100
MAX_LANE = 200


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    name_cy: str
    lanes: tuple[str, ...]
    grants: frozenset[str]

    def shown_name(self, language: str) -> str:
        return self.name_cy if language == "cy" else self.name


class RoleCatalogueError(Exception):
    """A role catalogue that breaks a rule: the file, and each role with the rule it breaks."""

    def __init__(self, file: Path, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"the role catalogue {file} is not valid:\n" + "\n".join(f"  {p}" for p in problems)
        )


class RoleCatalogue:
    """Roles in the order the file gives them, found by English name or by a lane they work."""

    def __init__(self, roles: Iterable[Role]):
        self.roles = tuple(roles)
        self._by_name = {role.name.casefold(): role for role in self.roles}
        self._by_lane = {lane: role for role in self.roles for lane in role.lanes}

    @property
    def lanes(self) -> frozenset[str]:
        """Every lane some role works: the lanes a deployed diagram's user tasks may sit in."""
        return frozenset(self._by_lane)

    def role(self, name: str) -> Role | None:
        """The role of that English name, in any case."""
        return self._by_name.get(name.casefold())

    def working(self, lane: str) -> Role | None:
        return self._by_lane.get(lane)

    def lanes_of(self, role_names: Iterable[str]) -> frozenset[str]:
        return frozenset(lane for role in self._held(role_names) for lane in role.lanes)

    def grants_of(self, role_names: Iterable[str]) -> frozenset[str]:
        return frozenset(grant for role in self._held(role_names) for grant in role.grants)

    def holding(self, grants: Iterable[str]) -> tuple[Role, ...]:
        wanted = set(grants)
        return tuple(role for role in self.roles if role.grants & wanted)

    def _held(self, role_names: Iterable[str]) -> list[Role]:
        # A user may still hold a role the catalogue has since dropped: it gives them nothing.
        return [role for name in role_names if (role := self.role(name)) is not None]


def load_roles(file: Path) -> RoleCatalogue:
    """Read and check a role catalogue; raise RoleCatalogueError naming every broken rule."""
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise RoleCatalogueError(file, [f"the file cannot be read: {error.strerror}"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RoleCatalogueError(file, [f"the file is not valid TOML: {error}"]) from None
    problems = [
        f"unknown key '{key}' at the top: the file holds [roles.<key>] tables only"
        for key in document
        if key != "roles"
    ]
    tables = document.get("roles")
    if not isinstance(tables, dict) or not tables:
        problems.append("there are no roles: give each role a [roles.<key>] table")
        raise RoleCatalogueError(file, problems)
    roles = []
    for key, table in tables.items():
        role = _role(key, table, problems)
        if role is not None:
            roles.append(role)
    _check_across_roles(roles, problems)
    if problems:
        raise RoleCatalogueError(file, problems)
    return RoleCatalogue(roles)


def _role(key: str, table: object, problems: list[str]) -> Role | None:
    where = f"role '{key}':"
    if not isinstance(table, dict):
        problems.append(f"{where} must be a table, [roles.{key}], not a single value")
        return None
    found = len(problems)
    for unknown in sorted(table.keys() - set(ROLE_KEYS)):
        problems.append(f"{where} unknown key '{unknown}'; a role has {', '.join(ROLE_KEYS)}")
    name = _text(table, "name", "has no English name (name)", where, problems)
    name_cy = _text(table, "name_cy", "has no Welsh name (name_cy)", where, problems)
    if name and len(name) > MAX_ROLE_NAME:
        problems.append(f"{where} the name is longer than {MAX_ROLE_NAME} characters")
    lanes = _list(table, "lanes", where, problems)
    for lane in lanes:
        if len(lane) > MAX_LANE:
            problems.append(f"{where} lane '{lane[:40]}...' is longer than {MAX_LANE} characters")
    grants = _list(table, "grants", where, problems)
    for grant in grants:
        if grant not in GRANTS:
            problems.append(f"{where} grant '{grant}' is not one of: {', '.join(GRANTS)}")
    if not lanes and not grants and len(problems) == found:
        problems.append(
            f"{where} works no lane and has no grant, so it lets its holders do nothing"
        )
    if len(problems) > found:
        return None
    return Role(key, name, name_cy, tuple(lanes), frozenset(grants))


def _text(table: dict, key: str, missing: str, where: str, problems: list[str]) -> str | None:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where} {missing}")
        return None
    if value != value.strip():
        problems.append(f"{where} {key} '{value}' begins or ends with spaces")
    return value


def _list(table: dict, key: str, where: str, problems: list[str]) -> list[str]:
    values = table.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        problems.append(f'{where} {key} must be a list of names, such as {key} = ["..."]')
        return []
    for value in sorted({v for v in values if values.count(v) > 1}):
        problems.append(f"{where} lists {key[:-1]} '{value}' twice")
    return values


def _check_across_roles(roles: list[Role], problems: list[str]) -> None:
    names: dict[str, Role] = {}
    welsh: dict[str, Role] = {}
    lanes: dict[str, Role] = {}
    for role in roles:
        where = f"role '{role.key}':"
        if (other := names.setdefault(role.name.casefold(), role)) is not role:
            problems.append(f"{where} has the same name as role '{other.key}', '{role.name}'")
        if (other := welsh.setdefault(role.name_cy.casefold(), role)) is not role:
            problems.append(
                f"{where} has the same Welsh name as role '{other.key}', '{role.name_cy}'"
            )
        for lane in role.lanes:
            if (other := lanes.setdefault(lane, role)) is not role:
                problems.append(
                    f"{where} works lane '{lane}', which role '{other.key}' works: "
                    "a lane is one role's work"
                )
