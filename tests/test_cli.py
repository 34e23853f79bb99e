"""The command line: users and their tokens, and loading definitions."""

import shutil

from service.config import PROJECT_ROOT
from tests.conftest import bearer


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
