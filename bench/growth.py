"""A case's cost as it ages: a completion of a looping case at round 200 against one at round 10.

One stalking and harassment case is driven through the HTTP API (Flask's test client, in
process, on SQLite in a temporary folder) to the Sergeant's recurring supervisory review, a
standard loop, and kept going round after round; a second case of the same kind is taken to
round 10. Then both are completed in turns, a round each, so that a busy spell on a shared
machine falls on both alike: the young case's rounds 10 onwards against the old case's rounds
200 onwards. Each completion's time is taken through the API, and every row it inserts or
updates (the case's state and data, the task projection, the timer rows, the audit events) is
counted in bytes, as the database driver is given them. Then the old case goes on to round
300 and its saved state is weighed.

This runs twice: with the service's engine processes keeping each case's workflow between
commands (as a busy service does), and with every command restoring its case from the
database around freshly parsed specs (as after a restart, or for a case whose reviews come
days apart, long after its workflow was let go).

Targets: a completion at round 200 costs at most 1.2 times one at round 10 (median of the
turns, in either way of running), and the bytes it writes at most 1.1 times as many. Exits
non-zero when one is missed; the last line holds the figures as key=value pairs.

    .venv/bin/python bench/growth.py [--turns 15] [--rounds 300]
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from service import create_app  # noqa: E402
from service.auth import create_user  # noqa: E402
from service.config import PROJECT_ROOT  # noqa: E402
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

YOUNG, OLD = 10, 200
TIME_TARGET, BYTES_TARGET = 1.2, 1.1
# The afternoon of the sample call: every time the samples record is before it.
CALL_DAY = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
REVIEW = "sergeant_review"


class WriteCounter:
    """Bytes of every row a statement inserts or updates, as the driver is given them."""

    def __init__(self, engine) -> None:
        self.bytes = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, connection, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            return
        for row in parameters if executemany else [parameters]:
            values = row.values() if isinstance(row, dict) else row
            self.bytes += sum(_size(value) for value in values)


def _size(value) -> int:
    if value is None:
        return 0
    if isinstance(value, bytes):
        return len(value)
    return len(str(value).encode())


class Service:
    """The service on a database of its own, with one officer who works every lane."""

    def __init__(self, folder: Path, name: str, fresh: bool) -> None:
        self.app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / name}.db", "ENGINE_FRESH": fresh}
        )
        with self.app.app_context():
            upgrade()
            deploy_directory(PROJECT_ROOT, actor="bench")
            db.session.commit()
            _, token = create_user(f"bench-{name}", list(LANE_ROLES))
            self.writes = WriteCounter(db.engine)
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def state_bytes(self, case_id: str) -> int:
        with self.app.app_context():
            return len(db.session.scalar(select(Case.state).where(Case.id == case_id)))


class LoopingCase:
    """A case taken through the API to the Sergeant's recurring review."""

    def __init__(self, service: Service) -> None:
        self.service = service
        answer = service.client.post(
            "/api/v1/cases", json={"process": "stalking_harassment", "data": CALL},
            headers=service.headers,
        )  # fmt: skip
        assert answer.status_code == 201, answer.json
        self.id, self.last = answer.json["id"], answer.json
        for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
            self.complete(bpmn_id, victim_contacted(bpmn_id, data, self.last["data"]))
        self.rounds = 0

    def complete(self, bpmn_id: str, data: dict) -> tuple[float, int]:
        """Complete the open task; the seconds it took and the bytes it wrote."""
        [task] = [t for t in self.last["open_tasks"] if t["bpmn_id"] == bpmn_id]
        client, writes = self.service.client, self.service.writes
        written = writes.bytes
        started = time.perf_counter()
        answer = client.post(
            f"/api/v1/tasks/{task['id']}/complete", json={"data": data},
            headers=self.service.headers,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200, answer.json
        self.last = answer.json
        return elapsed, writes.bytes - written

    def review(self) -> tuple[float, int]:
        figures = self.complete(REVIEW, REVIEW_CONTINUE)
        self.rounds += 1
        assert [t["bpmn_id"] for t in self.last["open_tasks"]] == [REVIEW], self.last
        return figures

    def to_round(self, rounds: int) -> None:
        while self.rounds < rounds:
            self.review()


def measure(folder: Path, name: str, fresh: bool, turns: int, last_round: int) -> dict:
    service = Service(folder, name, fresh)
    young, old = LoopingCase(service), LoopingCase(service)
    young.to_round(YOUNG)
    old.to_round(OLD)
    state_young, state_old = service.state_bytes(young.id), service.state_bytes(old.id)
    figures = {"young_s": [], "old_s": [], "young_bytes": [], "old_bytes": []}
    for _ in range(turns):
        for label, case in (("young", young), ("old", old)):
            seconds, written = case.review()
            figures[f"{label}_s"].append(seconds)
            figures[f"{label}_bytes"].append(written)
    old.to_round(last_round)
    young_s, old_s = statistics.median(figures["young_s"]), statistics.median(figures["old_s"])
    young_bytes = statistics.mean(figures["young_bytes"])
    old_bytes = statistics.mean(figures["old_bytes"])
    return {
        "time_ratio": old_s / young_s,
        "bytes_ratio": old_bytes / young_bytes,
        "young_ms": young_s * 1000,
        "old_ms": old_s * 1000,
        "young_bytes": young_bytes,
        "old_bytes": old_bytes,
        "state_young": state_young,
        "state_old": state_old,
        "state_last": service.state_bytes(old.id),
    }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--turns", type=int, default=15, help="completions of each case timed")
    options.add_argument("--rounds", type=int, default=300, help="rounds the old case reaches")
    args = options.parse_args()
    results = {}
    with time_machine.travel(CALL_DAY, tick=True), tempfile.TemporaryDirectory() as folder:
        for name, fresh in (("kept", False), ("restored", True)):
            results[name] = result = measure(Path(folder), name, fresh, args.turns, args.rounds)
            print(
                f"{name}: a completion at round {YOUNG} {result['young_ms']:.1f} ms, writing "
                f"{result['young_bytes']:,.0f} bytes; at round {OLD} {result['old_ms']:.1f} ms "
                f"(x{result['time_ratio']:.2f}), writing {result['old_bytes']:,.0f} bytes "
                f"(x{result['bytes_ratio']:.2f}); saved state {result['state_young']:,} bytes at "
                f"round {YOUNG}, {result['state_old']:,} at {OLD}, {result['state_last']:,} at "
                f"{args.rounds}",
                flush=True,
            )
    kept, restored = results["kept"], results["restored"]
    growth = kept["time_ratio"]
    growth_restored = restored["time_ratio"]
    written = max(kept["bytes_ratio"], restored["bytes_ratio"])
    state_last = kept["state_last"]
    per_round = round((state_last - kept["state_old"]) / (args.rounds - OLD))
    missed = [
        what
        for what, ok in (
            (f"round {OLD} / round {YOUNG} above {TIME_TARGET}", growth <= TIME_TARGET),
            (
                f"restored, round {OLD} / round {YOUNG} above {TIME_TARGET}",
                growth_restored <= TIME_TARGET,
            ),
            (f"bytes written per command grow above {BYTES_TARGET}x", written <= BYTES_TARGET),
        )
        if not ok
    ]
    print(
        f"a completion at round {OLD} / at round {YOUNG}: {growth:.2f} (restored "
        f"{growth_restored:.2f}; target at most {TIME_TARGET}); bytes written per command "
        f"{written:.2f}x (target at most {BYTES_TARGET}); the saved state grows "
        f"{per_round} bytes a round" + (f"; MISSED: {', '.join(missed)}" if missed else "")
    )
    print(
        f"growth_{OLD}_over_{YOUNG}={growth:.3f} growth_{OLD}_over_{YOUNG}_restored="
        f"{growth_restored:.3f} state_bytes_round_{args.rounds}={state_last} "
        f"state_bytes_round_{YOUNG}={kept['state_young']} state_bytes_per_round={per_round} "
        f"bytes_written_per_command_{OLD}_over_{YOUNG}={written:.3f} "
        f"bytes_written_per_command_{YOUNG}={kept['young_bytes']:.0f} "
        f"ms_per_completion_{YOUNG}={kept['young_ms']:.2f} "
        f"ms_per_completion_{OLD}={kept['old_ms']:.2f} target_met={'no' if missed else 'yes'}"
    )
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
