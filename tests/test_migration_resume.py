"""A scheduler killed part-way through a migration: started again, it moves the cases still
waiting and never moves one twice.

The scheduler runs as the service runs it, ``flask scheduler run`` in a process of its own
against the test's database, and is killed with SIGKILL once it has moved some cases.
"""

import json
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from service.audit.chain import verify_case
from service.audit.models import CaseEvent
from service.audit.replay import replay_case
from service.auth import Actor, create_user
from service.case_migrations import MoveCases, migration_view, start_move
from service.commands import StartCase, start_case
from service.config import PROJECT_ROOT
from service.db import db
from service.definitions import deploy
from service.models import Case, CaseMigrationItem
from tests.migration_versions import inserted_check_files
from tests.samples import CALL
from workflows.catalog import read_definition_files

CASES = 40
PROCESS = "stalking_harassment"


def scheduler(database_uri: str, log) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": database_uri, "FLASK_APP": "service"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler", "run"],
        env=environment,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its engine processes go with it
    )


def moved_so_far(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(CaseMigrationItem.status == "moved"))
        db.session.remove()
        return count


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_a_scheduler_killed_part_way_resumes_without_moving_a_case_twice(
    app, database_uri, tmp_path
):
    with app.app_context():
        user, _ = create_user("owner-of-the-move", ["Process Owner", "Call Handler"])
        actor = Actor(user.id, user.name, frozenset({"Process Owner", "Call Handler"}))
        # On the real clock: the cases' 30-minute deadlines do not fall due during the test.
        case_ids = [start_case(StartCase(PROCESS, CALL, actor)).case.id for _ in range(CASES)]
        old_version = db.session.get(Case, case_ids[0]).definition_version_id
        files = read_definition_files(PROJECT_ROOT)
        version, created = deploy({**files, **inserted_check_files()}, actor=user.name)
        db.session.commit()
        assert created
        job = start_move(MoveCases(PROCESS, version.id, None, {}, actor))
        job_id, new_version = job.id, version.id
        db.session.remove()

    log = open(tmp_path / "scheduler.log", "w")  # noqa: SIM115 (closed below)
    first = scheduler(database_uri, log)
    try:
        wait_for(lambda: moved_so_far(app) >= 1, 120, "the first case to move")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    part_way = moved_so_far(app)
    assert 1 <= part_way < CASES, f"the kill did not land part-way ({part_way} moved)"

    with app.app_context():
        # Each case is moved and marked so together, or neither.
        items = {i.case_id: i.status for i in db.session.scalars(select(CaseMigrationItem))}
        versions = dict(db.session.execute(select(Case.id, Case.definition_version_id)).all())
        for case_id in case_ids:
            assert (items[case_id] == "moved") == (versions[case_id] == new_version)
            assert items[case_id] in ("moved", "waiting")
        db.session.remove()

    second = scheduler(database_uri, log)
    try:
        wait_for(lambda: moved_so_far(app) == CASES, 120, "every case to move")
        with app.app_context():
            wait_for(
                lambda: (db.session.remove() or migration_view(job_id)["status"]) == "finished",
                30,
                "the migration to finish",
            )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
        log.close()

    with app.app_context():
        progress = migration_view(job_id)
        assert (progress["total"], progress["moved"], progress["blocked"]) == (CASES, CASES, 0)
        moves = db.session.execute(
            select(CaseEvent.case_id, CaseEvent.payload).where(CaseEvent.type == "case_migrated")
        ).all()
        # One move per case, from the old version to the new.
        assert sorted(case_id for case_id, _ in moves) == sorted(case_ids)
        for _, payload in moves:
            details = json.loads(payload)
            assert (details["from_version"], details["to_version"]) == (old_version, new_version)
        for case_id in case_ids[:: CASES // 4]:
            assert verify_case(case_id).ok
            assert replay_case(case_id)["match"]
        db.session.remove()
