"""Roles, the lanes they work and what they may do live in roles.toml: a force adds a role, works
a lane under another name or gives a grant to another role by editing that file alone."""

import subprocess
import sys

import pytest

from service import create_app
from service.config import PROJECT_ROOT
from tests.conftest import bearer
from tests.test_api_deploy import NOTE_FORM, upload
from tests.test_catalog import flow, lane, process, user_task
from workflows.roles import GRANTS, RoleCatalogueError, load_roles

SHIPPED_TEXT = (PROJECT_ROOT / "roles.toml").read_text(encoding="utf-8")
# A role the repository does not ship, working a lane named otherwise, and allowed to deploy.
ADVOCATE = """
[roles.stalking_advocate]
name = "Stalking Advocate"
name_cy = "Eiriolwr Stelcio"
lanes = ["Stalking Advocacy"]
grants = ["deploy_definitions"]
"""
WELSH = {"Accept-Language": "cy"}


@pytest.fixture
def settings(tmp_path):
    """The shipped catalogue with the advocate added: the only change this module makes."""
    file = tmp_path / "roles.toml"
    file.write_text(SHIPPED_TEXT + ADVOCATE, encoding="utf-8")
    return {"ROLES_FILE": str(file)}


def safety_plan(lane_name="Stalking Advocacy"):
    """A process started, and worked, in one lane: the advocate's safety plan."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("safety_plan")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "safety_plan")
        + flow("f2", "safety_plan", "end")
    )
    return process(body, lane(lane_name, "start", "safety_plan", "end"), process_id="advocacy")


def test_a_role_added_in_the_file_deploys_its_lane_and_works_it(client, token_for):
    advocate, sergeant = token_for("Stalking Advocate"), token_for("Sergeant")
    deployed = upload(client, advocate, {"advocacy.bpmn": safety_plan().encode(), **NOTE_FORM})
    assert deployed.status_code == 201, deployed.json  # the grant, given in the file alone

    started = client.post(
        "/api/v1/cases", json={"process": "advocacy", "data": {}}, headers=bearer(advocate)
    )
    assert started.status_code == 201, started.json
    inbox = client.get("/api/v1/tasks", headers=bearer(advocate)).json
    assert [(t["bpmn_id"], t["lane"]) for t in inbox] == [("safety_plan", "Stalking Advocacy")]
    assert client.get("/api/v1/tasks", headers=bearer(sergeant)).json == []

    task_id = inbox[0]["id"]
    refused = client.get(f"/api/v1/tasks/{task_id}", headers={**bearer(sergeant), **WELSH})
    assert refused.status_code == 403
    assert "Gwaith i'r rôl Eiriolwr Stelcio yw'r dasg" in refused.json["detail"]
    english = client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(sergeant))
    assert english.status_code == 403
    assert "work for the Stalking Advocate role" in english.json["detail"]
    done = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=bearer(advocate)
    )
    assert done.status_code == 200, done.json


def test_a_role_without_the_grant_is_told_which_roles_hold_it_in_its_language(client, token_for):
    sergeant = token_for("Sergeant")
    files = {"advocacy.bpmn": safety_plan().encode(), **NOTE_FORM}
    english = upload(client, sergeant, files)
    assert english.status_code == 403
    assert "deploy_definitions (Process Owner, Stalking Advocate)" in english.json["detail"]
    assert "Your roles: Sergeant." in english.json["detail"]
    welsh = client.post("/api/v1/processes?lang=cy", headers=bearer(sergeant))
    assert welsh.status_code == 403
    assert "(Perchennog Prosesau, Eiriolwr Stelcio)" in welsh.json["detail"]
    assert "Eich rolau: Rhingyll." in welsh.json["detail"]


def test_a_lane_no_role_works_is_refused_naming_the_lane_and_the_element(client, token_for):
    owner = token_for("Process Owner")
    files = {"advocacy.bpmn": safety_plan("Victim Advocacy").encode(), **NOTE_FORM}
    response = upload(client, owner, files)
    assert response.status_code == 422
    found = {p["element_id"]: p["message"] for p in response.json["problems"]}
    assert set(found) == {"start", "safety_plan"}
    for message in found.values():
        assert "lane 'Victim Advocacy', which no role in the role catalogue works" in message
        assert "Stalking Advocacy" in message  # the lanes there are


def test_starting_a_case_names_the_start_lanes_role_in_welsh(client, token_for):
    sergeant = token_for("Sergeant")
    response = client.post(
        "/api/v1/cases?lang=cy",
        json={"process": "stalking_harassment", "data": {}},
        headers=bearer(sergeant),
    )
    assert response.status_code == 403
    assert "Mae angen y rôl Triniwr Galwadau i ddechrau achos" in response.json["detail"]


def test_users_are_created_with_roles_of_the_file(app, client):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "Ffion", "--role", "stalking advocate"])
    assert created.exit_code == 0, created.output
    assert "with roles: Stalking Advocate." in created.output
    token = created.output.strip().splitlines()[-1]
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    refused = runner.invoke(args=["users", "create", "Gwen", "--role", "Victim Advocate"])
    assert refused.exit_code != 0
    assert "unknown role(s): Victim Advocate" in refused.output
    assert "Stalking Advocate" in refused.output  # among the roles there are
    demo = runner.invoke(args=["users", "demo"])
    assert "demo-stalking-advocate" in demo.output


def test_the_shipped_catalogue_names_every_role_in_english_and_welsh():
    catalogue = load_roles(PROJECT_ROOT / "roles.toml")
    welsh = {role.name: role.name_cy for role in catalogue.roles}
    assert welsh["Sergeant"] == "Rhingyll"
    assert welsh["CPS Liaison"] == "Cyswllt Gwasanaeth Erlyn y Goron"
    assert len(welsh) == 16
    readers = {role.name for role in catalogue.holding(["read_all_cases"])}
    assert readers == {"Sergeant", "Inspector", "Auditor"}
    assert {role.name for role in catalogue.holding(["restrict_cases"])} == {"Inspector"}
    assert [role.name for role in catalogue.holding(["deploy_definitions"])] == ["Process Owner"]
    assert catalogue.lanes_of(["Auditor"]) == frozenset()
    reporters = {role.name for role in catalogue.holding(["reports"])}
    assert reporters == {"Inspector", "SRAU", "Policy Owner", "Auditor"}


def test_a_broken_catalogue_stops_the_service_naming_the_file_the_role_and_the_rule(
    tmp_path, capsys
):
    file = tmp_path / "roles.toml"
    file.write_text(SHIPPED_TEXT.replace('"Rhingyll"', '""'), encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        create_app({"ROLES_FILE": str(file), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert stopped.value.code == 3  # gunicorn stops rather than starting workers again
    said = capsys.readouterr().err
    assert str(file) in said
    assert "role 'sergeant': has no Welsh name (name_cy)" in said


def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path):
    file = tmp_path / "roles.toml"
    file.write_text(SHIPPED_TEXT.replace("restrict_cases", "restrict"), encoding="utf-8")
    environment = {
        "PATH": "/usr/bin:/bin",
        "GWARCHOD_ROLES_FILE": str(file),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gwarchod.db'}",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "service", "users", "demo"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 3
    assert "Traceback" not in finished.stderr
    assert f"Gwarchod cannot start: the role catalogue {file} is not valid" in finished.stderr
    assert "role 'inspector': grant 'restrict' is not one of" in finished.stderr


# --- each rule of the file --------------------------------------------------------------------

GOOD = """
[roles.sergeant]
name = "Sergeant"
name_cy = "Rhingyll"
lanes = ["Sergeant"]
"""


@pytest.mark.parametrize(
    ("text", "said"),
    [
        pytest.param(
            GOOD + 'colour = "blue"\n',
            "role 'sergeant': unknown key 'colour'; a role has name, name_cy, lanes, grants",
            id="unknown-key",
        ),
        pytest.param(
            "version = 2\n" + GOOD,
            "unknown key 'version' at the top",
            id="unknown-top-level-key",
        ),
        pytest.param(
            GOOD + 'grants = ["read_everything"]\n',
            "role 'sergeant': grant 'read_everything' is not one of: " + ", ".join(GRANTS),
            id="unknown-grant",
        ),
        pytest.param(
            GOOD.replace('name_cy = "Rhingyll"\n', ""),
            "role 'sergeant': has no Welsh name (name_cy)",
            id="no-welsh-name",
        ),
        pytest.param(
            GOOD.replace('name = "Sergeant"\n', ""),
            "role 'sergeant': has no English name (name)",
            id="no-english-name",
        ),
        pytest.param(
            GOOD.replace('["Sergeant"]', '["Sergeant", "Sergeant"]'),
            "role 'sergeant': lists lane 'Sergeant' twice",
            id="lane-twice",
        ),
        pytest.param(
            GOOD + '\n[roles.custody]\nname = "Custody Sergeant"\nname_cy = "Rhingyll y Ddalfa"\n'
            'lanes = ["Sergeant"]\n',
            "role 'custody': works lane 'Sergeant', which role 'sergeant' works: "
            "a lane is one role's work",
            id="lane-of-two-roles",
        ),
        pytest.param(
            GOOD + '\n[roles.sgt]\nname = "sergeant"\nname_cy = "Sarjant"\nlanes = ["Sgt"]\n',
            "role 'sgt': has the same name as role 'sergeant'",
            id="same-name",
        ),
        pytest.param(
            GOOD + '\n[roles.sgt]\nname = "Sgt"\nname_cy = "Rhingyll"\nlanes = ["Sgt"]\n',
            "role 'sgt': has the same Welsh name as role 'sergeant'",
            id="same-welsh-name",
        ),
        pytest.param(
            GOOD.replace('lanes = ["Sergeant"]', 'lanes = "Sergeant"'),
            "role 'sergeant': lanes must be a list of names",
            id="lanes-not-a-list",
        ),
        pytest.param(
            GOOD.replace('lanes = ["Sergeant"]', "lanes = []"),
            "role 'sergeant': works no lane and has no grant",
            id="a-role-for-nothing",
        ),
        pytest.param(
            GOOD.replace('"Sergeant"\n', '"Sergeant "\n', 1),
            "role 'sergeant': name 'Sergeant ' begins or ends with spaces",
            id="spaces",
        ),
        pytest.param(
            GOOD.replace('name = "Sergeant"', f'name = "{"S" * 101}"'),
            "role 'sergeant': the name is longer than 100 characters",
            id="name-too-long",
        ),
        pytest.param('roles = "all"\n', "there are no roles", id="no-roles"),
        pytest.param("[roles.sergeant\n", "the file is not valid TOML", id="not-toml"),
        pytest.param(GOOD + GOOD, "the file is not valid TOML: Cannot declare", id="a-role-twice"),
    ],
)
def test_each_rule_of_the_catalogue(tmp_path, text, said):
    file = tmp_path / "roles.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(RoleCatalogueError) as broken:
        load_roles(file)
    assert said in str(broken.value)
    assert str(file) in str(broken.value)


def test_every_broken_rule_is_reported_at_once(tmp_path):
    file = tmp_path / "roles.toml"
    file.write_text(
        SHIPPED_TEXT.replace('"Rhingyll"', '""').replace('"audit", ', '"audits", '),
        encoding="utf-8",
    )
    with pytest.raises(RoleCatalogueError) as broken:
        load_roles(file)
    assert broken.value.problems == [
        "role 'sergeant': has no Welsh name (name_cy)",
        "role 'auditor': grant 'audits' is not one of: " + ", ".join(GRANTS),
    ]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RoleCatalogueError) as broken:
        load_roles(tmp_path / "nowhere.toml")
    assert "nowhere.toml" in str(broken.value)
    assert "cannot be read" in str(broken.value)
