"""The command line: users and their tokens, and loading and exporting definitions."""

import json
import shutil

from service.config import PROJECT_ROOT
from service.db import db
from service.models import DefinitionVersion
from tests.conftest import bearer
from tests.test_api_deploy import upload


def test_users_create_prints_the_token_alone_on_the_last_line(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Sgt Rhys Evans", "--role", "Sergeant", "--role", "Inspector"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("gw_") and " " not in token
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


def test_users_create_refuses_unknown_roles_and_duplicates(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "create", "x", "--role", "Janitor"])
    assert refused.exit_code != 0
    assert "Janitor" in refused.output
    assert runner.invoke(args=["users", "create", "x", "--role", "Sergeant"]).exit_code == 0
    again = runner.invoke(args=["users", "create", "x", "--role", "Sergeant"])
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_demo_users_one_per_role_tokens_shown_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "demo"])
    assert first.exit_code == 0
    assert "Vulnerability Desk" in first.output and "gw_" in first.output
    second = runner.invoke(args=["users", "demo"])
    assert "gw_" not in second.output


def test_demo_users_tell_how_to_issue_a_lost_token_again(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "demo"])
    again = runner.invoke(args=["users", "demo"]).output
    assert "flask --app service users password demo-sergeant" in again
    assert "users token issue demo-sergeant" in again
    issued = runner.invoke(args=["users", "token", "issue", "demo-sergeant"])
    token = issued.output.strip().splitlines()[-1]
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


def _create(runner, name: str, *roles: str) -> str:
    options = [part for role in roles for part in ("--role", role)]
    result = runner.invoke(args=["users", "create", name, *options])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_users_list_names_roles_whether_active_and_working_tokens(app):
    runner = app.test_cli_runner()
    _create(runner, "Sgt Rhys Evans", "Sergeant", "Inspector")
    _create(runner, "PC Dafydd Lloyd", "Investigator")
    runner.invoke(args=["users", "token", "issue", "Sgt Rhys Evans"])
    runner.invoke(args=["users", "deactivate", "PC Dafydd Lloyd"])
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    deactivated = ["PC", "Dafydd", "Lloyd", "deactivated", "tokens:", "0", "roles:", "Investigator"]
    assert lines[0].split() == deactivated
    assert lines[1].split()[3:6] == ["active", "tokens:", "2"]
    assert lines[1].endswith("roles: Inspector, Sergeant")


def test_users_roles_replaces_a_users_roles(app, client):
    runner = app.test_cli_runner()
    token = _create(runner, "Sgt Rhys Evans", "Sergeant")
    assert client.get("/api/v1/timers", headers=bearer(token)).status_code == 403
    changed = runner.invoke(args=["users", "roles", "Sgt Rhys Evans", "--role", "administrator"])
    assert changed.exit_code == 0, changed.output
    assert "now has the roles: Administrator." in changed.output
    assert client.get("/api/v1/timers", headers=bearer(token)).status_code == 200
    assert (
        "Your roles: Administrator."
        in client.get("/api/v1/audit/reads", headers=bearer(token)).json["detail"]
    )

    unknown_role = runner.invoke(args=["users", "roles", "Sgt Rhys Evans", "--role", "Janitor"])
    assert unknown_role.exit_code != 0 and "Janitor" in unknown_role.output
    unknown_user = runner.invoke(args=["users", "roles", "ghost", "--role", "Sergeant"])
    assert unknown_user.exit_code != 0
    assert "there is no user called 'ghost'" in unknown_user.output


def test_deactivating_a_user_ends_every_token_at_once(app, client):
    runner = app.test_cli_runner()
    first = _create(runner, "PC Dafydd Lloyd", "Investigator")
    issued = runner.invoke(args=["users", "token", "issue", "PC Dafydd Lloyd"])
    second = issued.output.strip().splitlines()[-1]
    other = _create(runner, "Sgt Rhys Evans", "Sergeant")

    result = runner.invoke(args=["users", "deactivate", "PC Dafydd Lloyd"])
    assert result.exit_code == 0, result.output
    assert "2 token(s) revoked" in result.output
    for token in (first, second):
        response = client.get("/api/v1/tasks", headers=bearer(token))
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert "deactivated" in response.json["detail"]
    assert client.get("/api/v1/tasks", headers=bearer(other)).status_code == 200

    refused = runner.invoke(args=["users", "token", "issue", "PC Dafydd Lloyd"])
    assert refused.exit_code != 0 and "deactivated" in refused.output
    assert runner.invoke(args=["users", "deactivate", "ghost"]).exit_code != 0


def test_users_token_issue_list_and_revoke(app, client):
    runner = app.test_cli_runner()
    _create(runner, "Sgt Rhys Evans", "Sergeant")
    issued = runner.invoke(args=["users", "token", "issue", "Sgt Rhys Evans", "--label", "desk pc"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    assert token.startswith("gw_") and " " not in token
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200

    listing = runner.invoke(args=["users", "token", "list", "Sgt Rhys Evans"])
    assert listing.exit_code == 0
    newest, oldest = listing.output.splitlines()
    token_id = newest.split()[0]
    assert newest.split()[1:3] == [token[:11], "active"] and newest.endswith("desk pc")
    assert "last used 20" in newest and "last used never" in oldest
    assert token not in listing.output

    revoked = runner.invoke(args=["users", "token", "revoke", token_id])
    assert revoked.exit_code == 0 and "is revoked" in revoked.output
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 401
    again = runner.invoke(args=["users", "token", "revoke", token_id])
    assert again.exit_code == 0 and "already revoked" in again.output
    listing = runner.invoke(args=["users", "token", "list", "Sgt Rhys Evans"])
    assert listing.output.splitlines()[0].split()[2] == "revoked"

    assert runner.invoke(args=["users", "token", "revoke", "999999"]).exit_code != 0
    unknown = runner.invoke(args=["users", "token", "list", "ghost"])
    assert unknown.exit_code != 0 and "there is no user called 'ghost'" in unknown.output


def test_definitions_load_is_idempotent_and_reports_problems(app, tmp_path):
    runner = app.test_cli_runner()
    unchanged = runner.invoke(args=["definitions", "load"])
    assert unchanged.exit_code == 0
    assert "unchanged" in unchanged.output
    shutil.copytree(PROJECT_ROOT / "bpmn", tmp_path / "bpmn")
    shutil.copytree(PROJECT_ROOT / "forms", tmp_path / "forms")
    (tmp_path / "forms" / "live_time_review.schema.json").unlink()
    broken = runner.invoke(args=["definitions", "load", "--root", str(tmp_path)])
    assert broken.exit_code != 0
    assert "live_time_review" in broken.output
    assert "nothing was loaded" in broken.output


def test_definitions_export_writes_what_is_deployed_and_load_says_which_version_is_latest(
    app, client, tmp_path, owner
):
    runner = app.test_cli_runner()
    # A process owner deploys a change through the API: version 2, newer than the files.
    review = json.loads((PROJECT_ROOT / "forms" / "live_time_review.schema.json").read_text())
    review["properties"]["review_notes"]["title"] = "Review notes and reasons"
    uploaded = upload(
        client,
        owner,
        {"live_time_review.schema.json": json.dumps(review).encode()},
        welsh_names=False,
    )
    assert uploaded.status_code == 201, uploaded.json
    latest = uploaded.json["version"]
    load = runner.invoke(args=["definitions", "load"])
    assert load.exit_code == 0
    assert "unchanged: the files are version 1" in load.output
    assert f"Version {latest} (" in load.output and "is the one new cases start on" in load.output

    # Export writes the latest as files, and the files load as that very version.
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "draft_idea.schema.json").write_text("{}")
    exported = runner.invoke(args=["definitions", "export", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    assert f"Wrote version {latest}" in exported.output
    assert "left as they are:\n  forms/draft_idea.schema.json" in exported.output
    written = json.loads((tmp_path / "forms" / "live_time_review.schema.json").read_text())
    assert written["properties"]["review_notes"]["title"] == "Review notes and reasons"
    (tmp_path / "forms" / "draft_idea.schema.json").unlink()
    again = runner.invoke(args=["definitions", "load", "--root", str(tmp_path)])
    assert f"unchanged: the files are version {latest}" in again.output
    assert f"Version {latest} is the latest" in again.output

    # An older version, by its number; one that does not exist is refused plainly.
    older = runner.invoke(args=["definitions", "export", str(tmp_path / "v1"), "--version", "1"])
    assert older.exit_code == 0 and "Wrote version 1" in older.output
    assert (tmp_path / "v1" / "bpmn" / "stalking_harassment.bpmn").is_file()
    missing = runner.invoke(args=["definitions", "export", str(tmp_path), "--version", "99"])
    assert missing.exit_code != 0 and "there is no version 99" in missing.output


def test_definitions_export_refuses_a_stored_path_that_leads_elsewhere(app, tmp_path):
    with app.app_context():
        version = db.session.get(DefinitionVersion, 1)
        version.files[0].path = "bpmn/../../outside.bpmn"
        db.session.commit()
    exported = app.test_cli_runner().invoke(
        args=["definitions", "export", str(tmp_path / "out"), "--version", "1"]
    )
    assert exported.exit_code != 0
    assert "is not under bpmn/, forms/ or letters/; nothing was written" in exported.output
    assert not (tmp_path / "outside.bpmn").exists() and not (tmp_path / "out").exists()


def test_demo_users_are_printed_with_a_password_to_sign_in_with(app, client):
    output = app.test_cli_runner().invoke(args=["users", "demo"]).output
    line = next(line for line in output.splitlines() if "demo-vulnerability-desk" in line)
    password = line.split("password ")[1].split()[0]
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in",
        data={"username": "demo-vulnerability-desk", "password": password, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
