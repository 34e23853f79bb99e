"""Reading a case's workflow from its saved text and writing it again, against the library.

Every command on a case its engine process does not keep restores the workflow from the text
saved in the database and writes the text again (``workflows.serializer``). This drives one
stalking and harassment case through the engine alone (no database) to the Sergeant's review,
on bail with its bail reviewed (runs of a called process) and its investigation reviewed again,
and times restoring and saving its state with the service's converters and with SpiffWorkflow's
own (the baseline), in turns, so that a busy spell on a shared machine falls on both alike. The
two must write the same text to the byte.

Targets: restoring at most 0.8 times the library's time, saving at most as long as the
library's. Exits non-zero when one is missed or the texts differ; the last line holds the
figures as key=value pairs.

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
from tests.test_serializer import LIBRARY, bail_case_states, restored, written  # noqa: E402
from workflows.catalog import build_catalog, read_definition_files  # noqa: E402
from workflows.serializer import SERIALIZER  # noqa: E402

RESTORE_TARGET, SAVE_TARGET = 0.8, 1.0


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
    figures: dict[str, list[float]] = {}
    for _ in range(args.turns):
        for name, serializer in serializers.items():
            figures.setdefault(f"restore_{name}", []).append(
                timed(lambda each=serializer: restored(each, catalog, state), args.repeat)
            )
            figures.setdefault(f"save_{name}", []).append(
                timed(lambda each=serializer, w=workflows[name]: written(each, w), args.repeat)
            )
    ms = {name: statistics.median(values) for name, values in figures.items()}
    restore_ratio = ms["restore_service"] / ms["restore_library"]
    save_ratio = ms["save_service"] / ms["save_library"]
    missed = [
        what
        for what, ok in (
            (f"restoring above {RESTORE_TARGET} of the library's", restore_ratio <= RESTORE_TARGET),
            (f"saving above {SAVE_TARGET} of the library's", save_ratio <= SAVE_TARGET),
            ("the text differs from the library's", identical),
        )
        if not ok
    ]
    tasks = len(json.loads(state)["tasks"])
    print(
        f"a case of {len(state)} bytes, {tasks} tasks: restoring {ms['restore_service']:.3f} ms "
        f"(the library {ms['restore_library']:.3f} ms, x{restore_ratio:.2f}, target at most "
        f"{RESTORE_TARGET}), saving {ms['save_service']:.3f} ms (the library "
        f"{ms['save_library']:.3f} ms, x{save_ratio:.2f}, target at most {SAVE_TARGET})"
        + (f"; MISSED: {', '.join(missed)}" if missed else "")
    )
    print(
        f"restore_ms={ms['restore_service']:.3f} restore_library_ms={ms['restore_library']:.3f} "
        f"restore_ratio={restore_ratio:.3f} save_ms={ms['save_service']:.3f} "
        f"save_library_ms={ms['save_library']:.3f} save_ratio={save_ratio:.3f} "
        f"state_bytes={len(state)} identical={int(identical)} "
        f"target_met={'yes' if not missed else 'no'}"
    )
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
