"""The process owner's pages for moving running cases: the dry run, then the move's progress."""

import html
import re
from datetime import timedelta

import pytest

from service.auth import create_user
from service.case_migrations import work_migrations
from tests.lifecycle import Case, drain, investigation_tokens
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.test_api_migrations import T0, deploy_new_version

pytestmark = pytest.mark.usefixtures("clock")
PAGE = "/model/processes/stalking_harassment/migrations"


@pytest.fixture
def tokens(token_for, user_for):
    tokens = investigation_tokens(token_for)
    tokens["owner_name"], tokens["owner"] = user_for("Process Owner")
    return tokens


@pytest.fixture
def owner(app):
    with app.app_context():
        create_user("owner.anwen", ["Process Owner"], PASSWORD)
    return "owner.anwen"


def test_the_dry_run_then_the_move_and_its_progress(app, client, tokens, clock, owner):
    escalated = Case(client, tokens)
    clock.move_to(T0 + timedelta(minutes=31))
    drain(app)
    waiting = Case(client, tokens)
    version = deploy_new_version(client, tokens["owner"])
    sign_in(client, owner)

    model = html.unescape(client.get("/model").text)
    assert f'href="{PAGE}"' in model

    dry = client.get(f"{PAGE}?to_version={version}&mapping=")
    assert dry.status_code == 200
    text = html.unescape(dry.text)
    assert "1 case can move." in text and "1 case is blocked." in text
    assert "It waits on a step the new version does not have" in text
    assert escalated.id[:8] in text and waiting.id[:8] in text
    assert "Can move" in text

    started = client.post(
        PAGE, data={"to_version": version, "mapping": "", "csrf_token": csrf_token(dry)}
    )
    assert started.status_code == 302
    progress_url = started.headers["Location"]
    assert re.fullmatch(r"/model/migrations/\d+", progress_url)
    text = html.unescape(client.get(progress_url).text)
    assert "0 of 2" in text and "The scheduler is moving the cases" in text

    with app.app_context():
        work_migrations()
    text = html.unescape(client.get(progress_url).text)
    assert "2 of 2" in text and "Finished." in text
    assert "Moved" in text and "Blocked" in text
    # The move is listed with the process's earlier moves.
    assert progress_url in client.get(PAGE).text


def test_a_mapping_line_that_cannot_be_read_is_said_so(client, tokens, owner):
    version = deploy_new_version(client, tokens["owner"])
    sign_in(client, owner)
    page = client.get(f"{PAGE}?to_version={version}&mapping=only-one-id")
    text = html.unescape(page.text)
    assert "'only-one-id' is not" in text
    assert "What moving them would do" not in text


def test_a_version_that_does_not_exist_is_said_so(client, tokens, owner):
    """Even one past any number the database holds."""
    deploy_new_version(client, tokens["owner"])
    sign_in(client, owner)
    for version in (999, 2**31, 10**23):
        page = client.get(f"{PAGE}?to_version={version}&mapping=")
        assert page.status_code == 200, version
        text = html.unescape(page.text)
        assert f"Version {version} does not hold the process 'stalking_harassment'" in text
        assert "What moving them would do" not in text
        token = csrf_token(client.get("/model/new"))
        sent = client.post(PAGE, data={"to_version": version, "mapping": "", "csrf_token": token})
        assert sent.status_code == 302, version
        said = html.unescape(client.get(sent.headers["Location"]).text)
        assert f"Version {version} does not hold the process" in said


def test_only_process_owners_move_cases(client, desk):
    sign_in(client, desk)
    assert client.get(PAGE).status_code == 403
    assert client.get("/model/migrations/1").status_code == 403
