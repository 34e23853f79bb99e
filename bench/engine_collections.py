"""What the garbage collector costs a command in an engine process, as the service sets it up
and with Python's defaults.

An engine process (``workflows.engine_process``) collects its young generation every 10,000
new objects rather than Python's 700, and keeps what it holds for good (its modules, the
versions' parsed diagrams) out of the collector's passes. This runs the same commands as an
engine process does, in this process: Sergeants' reviews of 48 saved states of a case taken
to its review, round after round, more than a runner keeps, so each command restores its case
from the text. Turns alternate between Python's defaults (the baseline) and the service's
settings, so a busy spell on a shared machine falls on both alike; the collector's own time is
read from ``gc.callbacks``.

Target: a command with the service's settings at most 0.9 times one with Python's defaults.
Exits non-zero when missed; the last line holds the figures as key=value pairs.

    .venv/bin/python bench/engine_collections.py [--turns 8]
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.config import PROJECT_ROOT  # noqa: E402
from tests.samples import (  # noqa: E402
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)
from tests.test_saved_state_pruning import CALL_DAY  # noqa: E402
from workflows.catalog import build_catalog, read_definition_files  # noqa: E402
from workflows.clock import engine_clock  # noqa: E402
from workflows.engine_process import collect_less, keep_out_of_collections  # noqa: E402
from workflows.runner import Runner  # noqa: E402

PROCESS = "stalking_harassment"
TARGET = 0.9
STATES = 48  # more than a runner keeps (32): every command restores its case


def review_states(catalog) -> list[tuple[str, str]]:
    """A case's saved text and its open review, at each of ``STATES`` review rounds."""
    runner = Runner(catalog, keep=0)
    with engine_clock(CALL_DAY):
        outcome = runner.start(PROCESS, CALL)
        for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
            [task] = [t for t in outcome.open_tasks if t.bpmn_id == bpmn_id]
            data = victim_contacted(bpmn_id, data, outcome.data)
            outcome = runner.complete(PROCESS, outcome.state, task.id, data)
        states = []
        for _ in range(STATES):
            [task] = [t for t in outcome.open_tasks if t.bpmn_id == "sergeant_review"]
            states.append((outcome.state, task.id))
            outcome = runner.complete(PROCESS, outcome.state, task.id, REVIEW_CONTINUE)
    return states


class CollectorClock:
    """The collector's own time, from ``gc.callbacks``."""

    def __init__(self):
        self.seconds, self._started = 0.0, 0.0
        gc.callbacks.append(self._heard)

    def _heard(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def pythons_defaults() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    gc.collect()


def the_services() -> None:
    collect_less()
    keep_out_of_collections()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--turns", type=int, default=8)
    options.add_argument("--rounds", type=int, default=4, help="passes over the states a turn")
    args = options.parse_args()
    catalog = build_catalog(read_definition_files(PROJECT_ROOT))
    states = review_states(catalog)
    runner = Runner(catalog)
    collector = CollectorClock()
    sides = {"defaults": pythons_defaults, "service": the_services}
    figures: dict[str, list[float]] = {}
    with engine_clock(CALL_DAY):
        for state, task_id in states[:5]:  # warm up
            runner.complete(PROCESS, state, task_id, REVIEW_CONTINUE)
        for _ in range(args.turns):
            for name, set_up in sides.items():
                set_up()
                collector.seconds = 0.0
                started = time.perf_counter()
                for _ in range(args.rounds):
                    for state, task_id in states:
                        runner.complete(PROCESS, state, task_id, REVIEW_CONTINUE)
                commands = args.rounds * len(states)
                took = (time.perf_counter() - started) * 1000 / commands
                figures.setdefault(f"{name}_ms", []).append(took)
                figures.setdefault(f"{name}_gc_ms", []).append(collector.seconds * 1000 / commands)
    ms = {name: statistics.median(values) for name, values in figures.items()}
    ratio = ms["service_ms"] / ms["defaults_ms"]
    missed = ratio > TARGET
    print(
        f"a command restoring its case: {ms['service_ms']:.3f} ms with the service's settings "
        f"({ms['service_gc_ms']:.3f} ms collecting), {ms['defaults_ms']:.3f} ms with Python's "
        f"defaults ({ms['defaults_gc_ms']:.3f} ms collecting): x{ratio:.2f}, target at most "
        f"{TARGET}" + ("; MISSED" if missed else "")
    )
    print(
        f"command_ms={ms['service_ms']:.3f} command_defaults_ms={ms['defaults_ms']:.3f} "
        f"ratio={ratio:.3f} gc_ms={ms['service_gc_ms']:.3f} "
        f"gc_defaults_ms={ms['defaults_gc_ms']:.3f} target_met={'no' if missed else 'yes'}"
    )
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
