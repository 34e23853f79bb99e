"""The roles Gwarchod authorises against.

Lane names in diagrams are role names: a user task in the "Sergeant" lane is work for users
holding the Sergeant role. The list follows the domain brief; the last three roles own no lane
work but guard deployment, audit and administration.
"""

LANE_ROLES: tuple[str, ...] = (
    "Call Handler",
    "Vulnerability Desk",
    "Attending Officer",
    "Investigator",
    "Sergeant",
    "Inspector",
    "Superintendent",
    "CPS Liaison",
    "SRAU",
    "MARAC Unit",
    "PSD",
    "Policy Owner",
    "Disclosure Unit",
)

PROCESS_OWNER = "Process Owner"
AUDITOR = "Auditor"
ADMINISTRATOR = "Administrator"

ALL_ROLES: tuple[str, ...] = (*LANE_ROLES, PROCESS_OWNER, AUDITOR, ADMINISTRATOR)
