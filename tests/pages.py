"""What the page tests share: a desk officer with a password, a call waiting for its
live-time review, and signing in through the sign-in form with its CSRF token."""

import re

import pytest

from service.auth import create_user
from tests.conftest import bearer
from tests.roles import SHIPPED
from tests.samples import CALL

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def desk(app):
    """A Vulnerability Desk officer with a password."""
    with app.app_context():
        create_user("desk-officer", ["Vulnerability Desk"], PASSWORD)
    return "desk-officer"


@pytest.fixture
def every_role(app):
    """A user holding every shipped role, with a password: one who may open every page."""
    with app.app_context():
        create_user("every-role", [role.name for role in SHIPPED.roles], PASSWORD)
    return "every-role"


@pytest.fixture
def call(client, token_for):
    """A call logged by a Call Handler: its live-time review waits in the desk's lane."""
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(token_for("Call Handler")),
    )
    assert response.status_code == 201, response.json
    return response.json


def csrf_token(page) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def sign_in(client, name, password=PASSWORD, next_page=None):
    form = client.get("/sign-in")
    data = {"username": name, "password": password, "csrf_token": csrf_token(form)}
    if next_page:
        data["next"] = next_page
    return client.post("/sign-in", data=data)
