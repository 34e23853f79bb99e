"""Point in time on an old case: the state at any event of a case after 300 Sergeant's reviews.

Builds a stalking and harassment case through the command handlers (the call, the first
response, risk, crime recording and the rest up to the investigation, then 300 rounds of the
Sergeant's recurring review) on SQLite in a temporary folder, with the service's default
settings. Beside it, one command at a time, runs a twin case with no checkpoints
(AUDIT_CHECKPOINT_EVERY=0): the ratio of their review rounds' times is what writing
checkpoints costs a completion.

Then an Auditor asks `GET /api/v1/cases/{id}/state?at_seq=N` for random events spread over the
whole history (Flask's test client, in process). Baselines measured in the same run: the same
view rebuilt from the first event, as it was before checkpoints, for a sample of the same
points (each answer checked equal to the one from the checkpoint), and one ordinary read of
the case (`GET /api/v1/cases/{id}`).

Target: p50 at most 50 ms. Exits non-zero when it is missed, or when a view from a checkpoint
differs from the one from the first event. The last line holds the figures as key=value pairs.

    .venv/bin/python bench/point_in_time.py [--rounds 300] [--points 200] [--full-points 8]
        [--every K]

``--every`` tries another checkpoint interval than the service's default, to weigh what
checkpoints store and cost a completion against how fast a point in time comes back.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from service import create_app  # noqa: E402
from service.audit.models import CaseCheckpoint, CaseEvent  # noqa: E402
from service.audit.replay import state_at  # noqa: E402
from service.auth import Actor, create_user  # noqa: E402
from service.commands import CompleteTask, StartCase, complete_task, start_case  # noqa: E402
from service.db import db  # noqa: E402
from service.definitions import deploy_directory  # noqa: E402
from service.models import Case  # noqa: E402
from tests.roles import LANE_ROLES  # noqa: E402
from tests.samples import (  # noqa: E402
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)

PROCESS = "stalking_harassment"
TARGET_P50_MS = 50.0


class Twin:
    """A case driven through the command handlers with its own checkpoint setting."""

    def __init__(self, app, actor: Actor, every: int):
        self.app, self.actor, self.every = app, actor, every
        self.changed = self._run(lambda: start_case(StartCase(PROCESS, CALL, actor)))

    def complete(self, bpmn_id: str, data: dict) -> float:
        [task] = [t for t in self.changed.open_tasks if t.bpmn_id == bpmn_id]
        data = victim_contacted(bpmn_id, data, self.changed.case.data)
        started = time.perf_counter()
        self.changed = self._run(lambda: complete_task(CompleteTask(task.id, data, self.actor)))
        return time.perf_counter() - started

    def _run(self, command):
        self.app.config["AUDIT_CHECKPOINT_EVERY"] = self.every
        return command()


def build(app, rounds: int) -> tuple[str, list[float], list[float]]:
    """The case with checkpoints, and its twin's and its own review rounds' times."""
    user, _ = create_user("bench-officer", list(LANE_ROLES))
    actor = Actor(user.id, user.name, frozenset(LANE_ROLES))
    every = app.config["AUDIT_CHECKPOINT_EVERY"]
    with_checkpoints, without = Twin(app, actor, every), Twin(app, actor, 0)
    for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
        with_checkpoints.complete(bpmn_id, data)
        without.complete(bpmn_id, data)
    timed_with, timed_without = [], []
    for number in range(rounds):
        # Each goes first in turn, so a busy spell on a shared machine slows both alike.
        pair = [(with_checkpoints, timed_with), (without, timed_without)]
        for twin, times in pair if number % 2 else reversed(pair):
            times.append(twin.complete("sergeant_review", REVIEW_CONTINUE))
    app.config["AUDIT_CHECKPOINT_EVERY"] = every
    return with_checkpoints.changed.case.id, timed_with, timed_without


def timed_get(client, url: str, headers: dict) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.json
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="Sergeant's review rounds")
    parser.add_argument("--points", type=int, default=200, help="events asked for")
    parser.add_argument(
        "--full-points", type=int, default=8, help="of them, also rebuilt from the first event"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--every",
        type=int,
        help="events between checkpoints (default: the service's AUDIT_CHECKPOINT_EVERY)",
    )
    args = parser.parse_args()
    if args.every is not None and args.every < 1:
        parser.error("--every must be 1 or more: 0 writes no checkpoints")
    choose = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'pit.db'}"}
        if args.every is not None:
            settings["AUDIT_CHECKPOINT_EVERY"] = args.every
        app = create_app(settings)
        client = app.test_client()
        with app.app_context():
            upgrade()
            deploy_directory(ROOT, actor="bench")
            db.session.commit()
            _, token = create_user("bench-auditor", ["Auditor"])
            with time_machine.travel(datetime(2026, 11, 28, 14, tzinfo=UTC), tick=True):
                case_id, timed_with, timed_without = build(app, args.rounds)
            events = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
            stored, stored_bytes = db.session.execute(
                select(
                    func.count(),
                    func.sum(
                        func.length(CaseCheckpoint.state)
                        + func.length(CaseCheckpoint.data)
                        + func.length(CaseCheckpoint.open_tasks)
                    ),
                ).where(CaseCheckpoint.case_id == case_id)
            ).one()
            state_bytes = len(db.session.get(Case, case_id).state)
            every = app.config["AUDIT_CHECKPOINT_EVERY"]
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/v1/cases/{case_id}"

        points = [choose.randint(1, events) for _ in range(args.points)]
        timed_get(client, f"{url}/state?at_seq={events}", headers)  # the engine processes start
        reads = [timed_get(client, url, headers) for _ in range(args.points)]
        views = [timed_get(client, f"{url}/state?at_seq={seq}", headers) for seq in points]

        sample = points[: args.full_points]
        from_checkpoint, from_start, differing = [], [], []
        with app.app_context():
            for seq in sample:
                started = time.perf_counter()
                near = state_at(case_id, seq)
                from_checkpoint.append(time.perf_counter() - started)
                started = time.perf_counter()
                first = state_at(case_id, seq, from_checkpoint=False)
                from_start.append(time.perf_counter() - started)
                shown = ("as_of_seq", "status", "data", "open_tasks", "path", "consistent")
                if any(near[key] != first[key] for key in shown):
                    differing.append(seq)

    ms = 1000
    p50, p99 = percentile(views, 0.5) * ms, percentile(views, 0.99) * ms
    full = statistics.median(from_start) * ms
    speedup = statistics.median(from_start) / statistics.median(from_checkpoint)
    read = statistics.median(reads) * ms
    late = slice(-30, None)  # the last 30 rounds: the oldest case, the largest checkpoints
    with_ms = statistics.median(timed_with[late]) * ms
    without_ms = statistics.median(timed_without[late]) * ms
    ok = p50 <= TARGET_P50_MS and not differing
    print(f"case: {args.rounds} review rounds, {events} events, {stored} checkpoints")
    kilobytes = (stored_bytes or 0) / 1024
    print(f"  checkpoints stored: {kilobytes:.0f} KB; the case's state {state_bytes / 1024:.0f} KB")
    print(f"  a review round at the end: {with_ms:.1f} ms, {without_ms:.1f} ms with no checkpoints")
    print(f"point in time, {len(points)} random events: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"  (target p50 at most {TARGET_P50_MS:.0f} ms)")
    print(f"  from the first event, {len(sample)} of them: p50 {full:.0f} ms ({speedup:.0f}x)")
    print(f"  an ordinary read of the case: p50 {read:.1f} ms")
    if differing:
        print(f"  DIFFERENT from the first event's view at events {differing}")
    print(
        f"p50_ms={p50:.1f} p99_ms={p99:.1f} target_p50_ms={TARGET_P50_MS:.0f} "
        f"full_replay_p50_ms={full:.0f} speedup={speedup:.1f} read_p50_ms={read:.1f} "
        f"read_ratio={p50 / read:.1f} round_ms={with_ms:.1f} "
        f"round_no_checkpoints_ms={without_ms:.1f} write_ratio={with_ms / without_ms:.2f} "
        f"every={every} events={events} checkpoints={stored} checkpoint_kb={kilobytes:.0f} "
        f"differing={len(differing)} ok={int(ok)}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
