"""Reading a case's workflow from its saved text and writing it again, against the library.

Every command on a case its engine process does not keep restores the workflow from the text
saved in the database and writes the text again (``workflows.serializer``), and finds the
branch tips the case's data is merged from, twice (``workflows.runner.branch_tips``). This
drives one stalking and harassment case through the engine alone (no database) to the
Sergeant's review, on bail with its bail reviewed (runs of a called process) and its
investigation reviewed again, and times each against its baseline, in turns, so that a busy
spell on a shared machine falls on both alike: restoring and saving with SpiffWorkflow's own
converters, the branch tips read plainly, child by child. Each pair must give the same result:
the same text to the byte, the same tasks in the same order.

Targets: restoring at most 0.8 times the library's time, saving at most as long as the
library's, the branch tips at most 0.6 of the plain reading's time. Exits non-zero when one is
missed or a result differs; the last line holds the figures as key=value pairs.

    .venv/bin/python bench/saved_state.py [--turns 15] [--repeat 100]
"""

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.config import PROJECT_ROOT  # noqa: E402
from tests.test_case_data import tips_by_children  # noqa: E402
from tests.test_serializer import LIBRARY, bail_case_states, restored, written  # noqa: E402
from workflows.catalog import build_catalog, read_definition_files  # noqa: E402
from workflows.runner import branch_tips  # noqa: E402
from workflows.serializer import SERIALIZER  # noqa: E402

RESTORE_TARGET, SAVE_TARGET, TIPS_TARGET = 0.8, 1.0, 0.6


def timed(work, repeat: int) -> float:
    """ms per call of ``work``, over ``repeat`` calls, with the garbage collector held off as
    ``timeit`` does: a collection falls on whichever side happens to trigger it."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(repeat):
            work()
        return (time.perf_counter() - started) * 1000 / repeat
    finally:
        gc.enable()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--turns", type=int, default=15)
    options.add_argument("--repeat", type=int, default=100, help="restores (saves) a turn")
    args = options.parse_args()
    catalog = build_catalog(read_definition_files(PROJECT_ROOT))
    state = bail_case_states(catalog)[-1]
    serializers = {"service": SERIALIZER, "library": LIBRARY}
    identical = all(
        written(serializer, restored(serializer, catalog, state)) == state
        for serializer in serializers.values()
    )
    workflows = {name: restored(each, catalog, state) for name, each in serializers.items()}
    case = workflows["service"]
    readings = {
        "tips_service": lambda: branch_tips(case),
        "tips_plain": lambda: tips_by_children(case),
    }
    same_tips = branch_tips(case) == tips_by_children(case)
    figures: dict[str, list[float]] = {}
    for _ in range(args.turns):
        for name, serializer in serializers.items():
            figures.setdefault(f"restore_{name}", []).append(
                timed(lambda each=serializer: restored(each, catalog, state), args.repeat)
            )
            figures.setdefault(f"save_{name}", []).append(
                timed(lambda each=serializer, w=workflows[name]: written(each, w), args.repeat)
            )
        for name, reading in readings.items():
            figures.setdefault(name, []).append(timed(reading, args.repeat))
    ms = {name: statistics.median(values) for name, values in figures.items()}
    restore_ratio = ms["restore_service"] / ms["restore_library"]
    save_ratio = ms["save_service"] / ms["save_library"]
    tips_ratio = ms["tips_service"] / ms["tips_plain"]
    missed = [
        what
        for what, ok in (
            (f"restoring above {RESTORE_TARGET} of the library's", restore_ratio <= RESTORE_TARGET),
            (f"saving above {SAVE_TARGET} of the library's", save_ratio <= SAVE_TARGET),
            (
                f"the branch tips above {TIPS_TARGET} of the plain reading",
                tips_ratio <= TIPS_TARGET,
            ),
            ("the text differs from the library's", identical),
            ("the branch tips differ from the plain reading's", same_tips),
        )
        if not ok
    ]
    tasks = len(json.loads(state)["tasks"])
    print(
        f"a case of {len(state)} bytes, {tasks} tasks: restoring {ms['restore_service']:.3f} ms "
        f"(the library {ms['restore_library']:.3f} ms, x{restore_ratio:.2f}, target at most "
        f"{RESTORE_TARGET}), saving {ms['save_service']:.3f} ms (the library "
        f"{ms['save_library']:.3f} ms, x{save_ratio:.2f}, target at most {SAVE_TARGET}); "
        f"the branch tips {ms['tips_service']:.3f} ms (read child by child "
        f"{ms['tips_plain']:.3f} ms, x{tips_ratio:.2f}, target at most {TIPS_TARGET})"
        + (f"; MISSED: {', '.join(missed)}" if missed else "")
    )
    print(
        f"restore_ms={ms['restore_service']:.3f} restore_library_ms={ms['restore_library']:.3f} "
        f"restore_ratio={restore_ratio:.3f} save_ms={ms['save_service']:.3f} "
        f"save_library_ms={ms['save_library']:.3f} save_ratio={save_ratio:.3f} "
        f"tips_ms={ms['tips_service']:.3f} "
        f"tips_plain_ms={ms['tips_plain']:.3f} tips_ratio={tips_ratio:.3f} "
        f"state_bytes={len(state)} identical={int(identical and same_tips)} "
        f"target_met={'yes' if not missed else 'no'}"
    )
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
