"""Several scheduler processes against one database: every timer fires exactly once."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import time_machine

from service.auth import Actor, create_user
from service.commands import StartCase, start_case
from service.config import PROJECT_ROOT
from service.db import db
from service.definitions import deploy
from service.models import Case, Task, Timer
from tests.names import with_welsh_names
from tests.test_api_deploy import NOTE_FORM
from tests.test_timers import waits
from workflows.catalog import read_definition_files

SCHEDULERS = 3


def test_three_schedulers_fire_each_timer_exactly_once(app, database_uri):
    # The figure is 2,000 timers on PostgreSQL; SQLite, one writer at a time, gets fewer.
    count = 2000 if database_uri.startswith("postgresql") else 300
    files = read_definition_files(PROJECT_ROOT)
    files.update({f"forms/{name}": content for name, content in NOTE_FORM.items()})
    files["bpmn/same_second.bpmn"] = waits(
        "same_second", "timeDate", "2026-06-01T00:00:00Z"
    ).encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
        user, _ = create_user("scheduler-test", ["Sergeant"])
        actor = Actor(user.id, user.name, frozenset({"Sergeant"}))
        with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
            for _ in range(count):
                start_case(StartCase("same_second", {}, actor))
        assert db.session.query(Timer).filter_by(status="waiting").count() == count

    environment = {**os.environ, "DATABASE_URL": database_uri, "FLASK_APP": "service"}
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "scheduler", "drain"],
            env=environment,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(SCHEDULERS)
    ]
    fired = []
    for process in schedulers:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        fired.append(int(re.search(r"Fired (\d+) due timer", out).group(1)))

    assert sum(fired) == count
    assert sum(1 for each in fired if each) >= 2, f"the schedulers did not share the work: {fired}"
    with app.app_context():
        assert db.session.query(Timer).filter_by(status="fired").count() == count
        assert db.session.query(Timer).filter(Timer.status != "fired").count() == 0
        assert db.session.query(Task).filter_by(bpmn_id="check", status="open").count() == count
        assert {version for (version,) in db.session.query(Case.version)} == {2}
