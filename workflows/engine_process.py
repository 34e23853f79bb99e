"""The engine process: runs one command at a time for a service process, under hard limits.

Started by workflows.isolation with a connected socket and a small shared buffer; it answers
until the socket closes. See workflows.isolation for why and how.
"""

import gc
import mmap
import os
import resource
import sys
import traceback
from collections import OrderedDict

from . import clock
from .catalog import build_catalog
from .forms import set_case_lookup
from .isolation import (
    KEEP_VERSIONS,
    PROGRESS_SIZE,
    Channel,
    cpu_from_stat,
    cpu_rlimit,
    read_progress,
    write_progress,
)
from .limits import EngineLimits
from .problems import (
    CaseStalled,
    DiagramError,
    FormInvalid,
    LimitExceeded,
    StateVersionMismatch,
    TaskNotOpen,
)
from .runner import Runner
from .sandbox import SandboxError, make_script_engine

# A process whose address space has grown this far past its start retires after its command:
# memory freed by Python is not always given back, and each command's limit counts from here.
RETIRE_GROWTH_MB = 1024
# See collect_less().
YOUNG_GENERATION = 10_000
_PAGE = resource.getpagesize()


_STATM = os.open("/proc/self/statm", os.O_RDONLY)
_STAT = os.open("/proc/self/stat", os.O_RDONLY)


def _address_space() -> int:
    return int(os.pread(_STATM, 64, 0).split()[0]) * _PAGE


def _cpu_used() -> float:
    return cpu_from_stat(os.pread(_STAT, 1024, 0))


# The soft limits now set, so that a command sets only those that change (most commands find
# them as the last one left them).
_limits = {resource.RLIMIT_AS: None, resource.RLIMIT_CPU: None}


def _limit(which: int, soft: int) -> None:
    if _limits[which] != soft:
        resource.setrlimit(which, (soft, resource.RLIM_INFINITY))
        _limits[which] = soft


def _unlimited() -> None:
    """Lift a command's limits, for the process's own work (loading a version)."""
    _limit(resource.RLIMIT_AS, resource.RLIM_INFINITY)
    _limit(resource.RLIMIT_CPU, resource.RLIM_INFINITY)


class HostCall:
    """A function of the service process, called over the connection."""

    def __init__(self, connection: Channel, name: str):
        self.connection, self.name = connection, name

    def __call__(self, *args):
        self.connection.send(("call", self.name, args))
        answer = self.connection.recv()
        if answer[0] == "result":
            return answer[1]
        raise SandboxError(f"{self.name}() failed: {answer[2]}")


class EngineProcess:
    def __init__(self, connection: Channel, progress) -> None:
        self.connection = connection
        self.progress = progress
        self.runners: OrderedDict[tuple, Runner] = OrderedDict()
        self.to_load: OrderedDict[tuple, dict] = OrderedDict()  # sent ahead of need
        self.case_lookup = HostCall(connection, "case_exists")
        self.started_with = _address_space()

    def serve(self) -> None:
        while True:
            try:
                if self.to_load and not self.connection.poll(0):
                    # Versions are loaded while no command waits: a command never queues
                    # behind versions it does not need.
                    _, request = self.to_load.popitem(last=False)
                    self._runner(request)
                    continue
                kind, request = self.connection.recv()
            except (EOFError, OSError):
                return
            if kind == "run":
                self.connection.send(self.run(request))
            elif kind == "load":
                self.to_load[_key(request)] = request

    def run(self, request: dict):
        runner = self._runner(request)
        if runner is None:
            return ("unknown version",)
        limits: EngineLimits = request["limits"]
        runner.limits, runner.fresh = limits, request["fresh"]
        # Forms check that a linked case exists: the service process knows.
        lookup = "case_exists" in request["host"]
        set_case_lookup(self.case_lookup if lookup else None)
        operation = request["operation"]
        used = _cpu_used()
        _limit(resource.RLIMIT_CPU, cpu_rlimit(used, limits.cpu_for(operation)))
        _limit(resource.RLIMIT_AS, _address_space() + limits.memory_mb * 1024 * 1024)
        write_progress(self.progress, started_cpu=used, element="")
        retire = False
        try:
            with clock.engine_clock(request["at"]):
                answer = ("ok", getattr(runner, operation)(*request["args"]))
        except MemoryError:
            answer, retire = _memory_breach(limits, self._element()), True
        except (FormInvalid, TaskNotOpen, StateVersionMismatch, DiagramError) as error:
            if _caused_by_memory(error):
                answer, retire = _memory_breach(limits, self._element()), True
            else:
                answer = _refusal(error)
        except Exception as error:  # a fault of the service's own, reported as such
            traceback.print_exc()  # to the service's own output, where operators read it
            message = f"{type(error).__name__}: {error}"
            answer, retire = ("error", "internal", {"message": message}), True
        finally:
            # The limits stay until the next command sets its own: between commands the
            # process only waits, and loading a version lifts them first.
            set_case_lookup(None)
            write_progress(self.progress, started_cpu=-1.0)
        retire = retire or _address_space() - self.started_with > RETIRE_GROWTH_MB * 2**20
        return (*answer, retire)

    def _element(self) -> str | None:
        return read_progress(self.progress)[1] or None

    def _runner(self, request: dict) -> Runner | None:
        version = _key(request)
        runner = self.runners.get(version)
        if runner is not None:
            self.runners.move_to_end(version)
            return runner
        ahead = self.to_load.pop(version, None)
        files = request["files"] or (ahead and ahead["files"])
        if files is None:
            return None
        _unlimited()
        functions = {name: HostCall(self.connection, name) for name in request["host"]}
        functions.pop("case_exists", None)  # forms' lookup, not a diagram function
        runner = Runner(
            build_catalog(files, checked=True),
            make_script_engine(functions),
            on_step=lambda element: write_progress(self.progress, element=element),
            # The answer is sent (copied) before the kept workflow serves another command.
            copy_answers=False,
        )
        self.runners[version] = runner
        while len(self.runners) > KEEP_VERSIONS:
            self.runners.popitem(last=False)
        keep_out_of_collections()
        return runner


def collect_less() -> None:
    """Collect the young generation every ``YOUNG_GENERATION`` new objects, not Python's 700.

    Restoring a case builds thousands of lists, dicts and tasks, nearly all freed when the
    command ends; at Python's pace the collector ran about once a command and walked them.
    """
    gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])


def keep_out_of_collections() -> None:
    """Leave what the process holds for good (its modules, the versions' parsed diagrams and
    forms) out of the collector's passes from now on: a full pass walked every one of them.
    A version let go, with what it held, is collected here, when the next one is loaded."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _key(request: dict) -> tuple:
    # A version's runner calls the host functions its service offers.
    return request["version"], tuple(request["host"])


def _caused_by_memory(error: BaseException | None) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, MemoryError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _memory_breach(limits: EngineLimits, element: str | None):
    return (
        "error",
        "limit",
        {
            "message": f"the command needed more than {limits.memory_mb} MB of memory and "
            "was stopped",
            "element_id": element,
            "limit": "memory",
            "figure": f"more than {limits.memory_mb} MB",
        },
    )


def _refusal(error: Exception):
    if isinstance(error, FormInvalid):
        return ("error", "form", {"errors": [e.as_dict() for e in error.errors]})
    if isinstance(error, TaskNotOpen):
        return ("error", "not open", {"task_id": str(error)})
    if isinstance(error, StateVersionMismatch):
        return ("error", "state version", {"message": str(error)})
    payload = {"message": str(error), "element_id": error.element_id}
    if isinstance(error, LimitExceeded):
        return ("error", "limit", {**payload, "limit": error.limit, "figure": error.figure})
    if isinstance(error, CaseStalled):
        return ("error", "stalled", payload)
    return ("error", "diagram", payload)


def main() -> None:
    collect_less()
    connection = Channel(int(sys.argv[1]))
    progress = mmap.mmap(int(sys.argv[2]), PROGRESS_SIZE)
    EngineProcess(connection, progress).serve()


if __name__ == "__main__":
    main()
