"""How much the service adds to the engine: complete many tasks through the API, and the floor.

The API run logs calls and completes each live-time review through the HTTP API (Flask's test
client, in process, on SQLite). The floor, measured in the same run on the same machine, is raw
SpiffWorkflow starting and completing the same diagram with the same data, serializing the
workflow and committing it to SQLite. The two take turns a batch of cases at a time, so a busy
spell on a shared machine slows both. Prints the ratio API / floor; the target is at most 2.0.

    .venv/bin/python bench/complete_tasks.py [--cases N] [--rounds R] [--batch B]
"""

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from service import create_app  # noqa: E402
from service.auth import create_user  # noqa: E402
from service.config import PROJECT_ROOT  # noqa: E402
from tests.samples import CALL, REVIEW_NO_OFFENCE  # noqa: E402
from workflows.catalog import build_catalog, read_definition_files  # noqa: E402
from workflows.runner import Runner  # noqa: E402

PROCESS = "stalking_harassment"


class Floor:
    """Raw engine: start, complete the review, serialize, commit."""

    def __init__(self, folder: Path):
        # The catalog only parses here (and quotes plain ISO timer text, which the engine cannot
        # read); the cases run on the library's own script engine and serializer.
        self.spec, self.subprocess_specs = build_catalog(read_definition_files(PROJECT_ROOT)).spec(
            PROCESS
        )
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.connection = sqlite3.connect(folder / "floor.db")
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, state TEXT)")

    def run(self, cases: int) -> float:
        started = time.perf_counter()
        for _ in range(cases):
            workflow = BpmnWorkflow(self.spec, self.subprocess_specs)
            for task in workflow.get_tasks(state=TaskState.READY):
                task.data.update(CALL)
            workflow.do_engine_steps()
            [review] = workflow.get_tasks(state=TaskState.READY, manual=True)
            review.data.update(REVIEW_NO_OFFENCE)
            review.run()
            workflow.do_engine_steps()
            assert workflow.completed
            self.connection.execute(
                "INSERT INTO cases (state) VALUES (?)", (self.serializer.serialize_json(workflow),)
            )
            self.connection.commit()
        return time.perf_counter() - started


class EngineLayer:
    """Gwarchod's engine layer alone (sandbox, saved state without the spec, the workflow kept
    between the two commands), with no HTTP and no database: shows where the API's extra time
    goes."""

    def __init__(self):
        self.runner = Runner(build_catalog(read_definition_files(PROJECT_ROOT)))

    def run(self, cases: int) -> float:
        started = time.perf_counter()
        for _ in range(cases):
            outcome = self.runner.start(PROCESS, CALL)
            task_id = outcome.open_tasks[0].id
            done = self.runner.complete(PROCESS, outcome.state, task_id, REVIEW_NO_OFFENCE)
            assert done.completed
        return time.perf_counter() - started


class ThroughApi:
    """The service: POST /cases, then POST /tasks/{id}/complete, for every case."""

    def __init__(self, folder: Path):
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'api.db'}"})
        with app.app_context():
            from flask_migrate import upgrade

            from service.db import db
            from service.definitions import deploy_directory

            upgrade()
            deploy_directory(PROJECT_ROOT, actor="bench")
            db.session.commit()
            _, handler = create_user("bench-handler", ["Call Handler"])
            _, desk = create_user("bench-desk", ["Vulnerability Desk"])
        self.client = app.test_client()
        self.as_handler = {"Authorization": f"Bearer {handler}"}
        self.as_desk = {"Authorization": f"Bearer {desk}"}
        self.body = json.dumps({"process": PROCESS, "data": CALL})

    def run(self, cases: int) -> float:
        client = self.client
        started = time.perf_counter()
        for _ in range(cases):
            case = client.post(
                "/api/v1/cases",
                data=self.body,
                headers=self.as_handler,
                content_type="application/json",
            )
            task_id = case.json["open_tasks"][0]["id"]
            done = client.post(
                f"/api/v1/tasks/{task_id}/complete",
                json={"data": REVIEW_NO_OFFENCE},
                headers=self.as_desk,
            )
            assert done.status_code == 200 and done.json["status"] == "completed", done.json
        return time.perf_counter() - started


def measure_round(cases: int, batch: int, folder: Path) -> tuple[float, float, float]:
    """Seconds for the floor, the engine layer and the API to run ``cases`` cases each.

    The three take turns, ``batch`` cases at a time, so that a slow spell on a shared machine
    falls on all of them alike rather than on whichever ran then.
    """
    sides = [Floor(folder), EngineLayer(), ThroughApi(folder)]
    for side in sides:  # warm up: first requests and first runs pay one-off costs
        side.run(5)
    totals = [0.0, 0.0, 0.0]
    done = 0
    while done < cases:
        size = min(batch, cases - done)
        for index, side in enumerate(sides):
            totals[index] += side.run(size)
        done += size
    return totals[0], totals[1], totals[2]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--cases", type=int, default=300)
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--batch", type=int, default=25, help="cases per turn of each side")
    args = options.parse_args()
    ratios, engine_ratios = [], []
    for round_number in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as folder:
            floor_seconds, engine_seconds, api_seconds = measure_round(
                args.cases, args.batch, Path(folder)
            )
        ratio = api_seconds / floor_seconds
        ratios.append(ratio)
        engine_ratios.append(engine_seconds / floor_seconds)
        per_case = 1000 / args.cases
        print(
            f"round {round_number}: {args.cases} cases; floor {floor_seconds * per_case:.2f}"
            f" ms/case, engine layer {engine_seconds * per_case:.2f} ms/case,"
            f" API {api_seconds * per_case:.2f} ms/case, ratio {ratio:.2f}",
            flush=True,
        )
    print(
        f"engine layer / floor (median): {statistics.median(engine_ratios):.2f}; "
        f"API / floor (median of {args.rounds} rounds): {statistics.median(ratios):.2f}"
        " (target: at most 2.0)"
    )


if __name__ == "__main__":
    main()
