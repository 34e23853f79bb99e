"""The role catalogue the repository ships (roles.toml), as tests read it."""

from pathlib import Path

from workflows.roles import load_roles

SHIPPED = load_roles(Path(__file__).resolve().parents[1] / "roles.toml")
# The roles whose work is in diagram lanes; the shipped catalogue names each lane after its role.
LANE_ROLES = tuple(role.name for role in SHIPPED.roles if role.lanes)
