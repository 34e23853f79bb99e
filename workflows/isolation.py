"""Commands run in a separate engine process under hard limits, so diagram code cannot hold the
service.

The sandbox (workflows.sandbox) stops what Python can see, but work done inside C code (comparing
lists that share themselves, building a huge string, serialising such data) never yields to a
check. Only a process boundary can interrupt that. Each service process keeps a few long-lived
engine processes (``EnginePool``), each running one whole command at a time, never a process per
command or a call per expression, so the price stays a fraction of a millisecond per command.

In the engine process (workflows.engine_process) a command runs with:

- CPU time: the service process watches the engine process's CPU time and kills it past the
  command's limit; RLIMIT_CPU stands behind that should the service process itself stall;
- memory: RLIMIT_AS, the address space the process had before the command plus the limit;
- engine steps and the size of the case's data, counted by the runner (workflows.limits).

A command that breaches a limit is refused with LimitExceeded naming the element it was
running, the limit and the figure; the service process keeps its transaction and commits only
what a command that finished within its limits returned.

Functions of the host that diagrams or forms may call (the service's performance figures, whether
a case exists) run in the service process: the engine process asks for them over its
connection and waits for the answer, so they see the service's database and context.
"""

import contextlib
import ctypes
import functools
import math
import mmap
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from . import clock
from .catalog import Catalog
from .limits import EngineLimits
from .problems import (
    CaseStalled,
    DiagramError,
    FieldError,
    FormInvalid,
    LimitExceeded,
    StateVersionMismatch,
    TaskNotOpen,
)
from .runner import Outcome, Runner

# Progress the engine process shares with the service process: the CPU time at which the
# current command began (negative while none runs), and the element it is running.
# Layout: the start as a double at 0, the element's length at 8, the element from 10.
PROGRESS_SIZE = 512
_ELEMENT_AT = 10
_MAX_ELEMENT = PROGRESS_SIZE - _ELEMENT_AT
# How long the engine process may take to get ready for a command (start, parse a version's
# files): this is the service's own work, not the diagram's, so it is not charged to the command.
STARTUP_SECONDS = 60.0
# However little CPU a command uses, it may not hold its caller longer than this many times
# its CPU limit (a command waits on nothing but its own work and the host functions it calls).
WALL_FACTOR = 10
# A command that has used this much CPU is no ordinary command (those take milliseconds): its
# process yields the CPU to the service's other work, so reads stay quick while it runs on.
YIELD_AFTER_SECONDS = 0.1
YIELDING_NICENESS = 5  # added to the service's own niceness
# Firing timers does not yield: the scheduler fires one case's timers after another, so a
# firing slowed down would make every timer behind it late (its CPU limit is small anyway).
NEVER_YIELDS = frozenset({"fire_due_timers"})
# Versions an engine process keeps loaded (each holds its parsed specs and kept workflows).
KEEP_VERSIONS = 8
_ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=4096)
def _encoded(element: str) -> bytes:
    return element.encode()[:_MAX_ELEMENT]


def write_progress(buffer, started_cpu: float | None = None, element: str | None = None) -> None:
    """Record (in the engine process) the current command's start and element."""
    if started_cpu is not None:
        # One 8-byte store: the service process reading it meanwhile never sees a figure half
        # written (struct's pack_into zero-fills first).
        with memoryview(buffer) as view, view.cast("d") as figures:
            figures[0] = started_cpu
        struct.pack_into("<H", buffer, 8, 0)
    if element is not None:
        encoded = _encoded(element)
        buffer[_ELEMENT_AT : _ELEMENT_AT + len(encoded)] = encoded
        struct.pack_into("<H", buffer, 8, len(encoded))


def read_progress(buffer) -> tuple[float, str | None]:
    """The current command's starting CPU time (0 or less while none runs), and its element."""
    with memoryview(buffer) as view, view.cast("d") as figures:
        started = figures[0]
    (length,) = struct.unpack_from("<H", buffer, 8)
    if not length:
        return started, None
    end = _ELEMENT_AT + length
    return started, bytes(buffer[_ELEMENT_AT:end]).decode(errors="replace")


def _cpu_reader() -> Callable[[], int] | None:
    """The C library's sched_getcpu (the CPU the calling thread runs on), where there is one."""
    try:
        return ctypes.CDLL(None).sched_getcpu
    except (OSError, AttributeError):
        return None


_sched_getcpu = _cpu_reader()


class Channel(Connection):
    """A connection whose messages are pickled plainly, at the highest protocol, on both sides.

    multiprocessing's own pickler looks up its reducers for every object it writes, which a
    case's saved state (thousands of small objects) pays for on every command; nothing sent
    here needs them (no sockets, no file descriptors, no shared memory).
    """

    def send(self, obj) -> None:
        self._check_closed()
        self._check_writable()
        self._send_bytes(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))

    def recv(self):
        self._check_closed()
        self._check_readable()
        return pickle.loads(self._recv_bytes().getbuffer())


class EngineProcessFailed(Exception):
    """The engine process could not run the command for a reason of its own (not the diagram's)."""


def cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used, as the kernel shows it."""
    try:
        return cpu_from_stat(Path(f"/proc/{pid}/stat").read_bytes())
    except OSError:
        return None


def cpu_from_stat(stat: bytes) -> float:
    """User and system CPU time from a /proc/<pid>/stat line (the engine process reads its own
    the same way, so the two figures compare)."""
    fields = stat.rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class EngineProcess:
    """One engine process and the connection to it. Used by one thread at a time."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        progress_fd = os.memfd_create("gwarchod-engine-progress")
        os.ftruncate(progress_fd, PROGRESS_SIZE)
        self.progress = mmap.mmap(progress_fd, PROGRESS_SIZE)
        write_progress(self.progress, started_cpu=-1.0)
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_ROOT), *sys.path])}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workflows.engine_process",
                str(theirs.fileno()),
                str(progress_fd),
            ],
            pass_fds=(theirs.fileno(), progress_fd),
            stdin=subprocess.DEVNULL,
            env=environment,
            cwd=_ROOT,
        )
        theirs.close()
        os.close(progress_fd)
        self.connection = Channel(ours.detach())
        # One poller for the life of the process (Connection.poll builds a selector each time).
        self._reply = select.poll()
        self._reply.register(self.connection.fileno(), select.POLLIN)
        self.versions: set[str] = set()  # versions whose files this process was sent
        self.retiring = False  # the process asked to be let go after its command
        # Versions are sent ahead from another thread while the process starts up; a command
        # sent meanwhile waits its turn on the connection.
        self._sending = threading.Lock()
        self.sent = time.monotonic()  # when the command now running was sent
        self.yielding = False  # the process runs at a lower priority since a long command
        self.anywhere = os.sched_getaffinity(0)  # the CPUs the service may run on
        self.beside: int | None = None  # the CPU the process is held to, if any
        # The CPUs the calling thread may run on, kept while it is held beside its command.
        self.caller_anywhere: set[int] | None = None

    def preload(self, version: str, files: Mapping[str, bytes], host: list[str]) -> None:
        """Have the (idle) process load a version now, before a command needs it."""
        with self._sending:
            if not self.connection.closed and version not in self.versions:
                load = {"version": version, "files": dict(files), "host": host}
                self.connection.send(("load", load))
                self.versions.add(version)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        # A version still being sent ahead fails at once on the dead process; then the
        # connection is closed under the same lock, so no send finds it half gone.
        with self._sending:
            self.connection.close()
        self.progress.close()

    def send(self, request: dict, files: Mapping[str, bytes], beside_caller: bool) -> None:
        """Send a command; the process starts on it at once.

        ``beside_caller``: run it on the CPU the caller runs on, and hold the caller there
        until the answer is in. The caller waits while the command runs, so the two never
        want a CPU at once, and handing a CPU from one to the other is far quicker than waking
        a second one (the greater part of a round trip's price, on a virtual machine above
        all). Held, the caller is not woken on the other CPU by the answer, so neither moves
        away from what it left in the CPU's caches. A command that runs long is let go to
        any CPU when it yields, and its caller with it.
        """
        version = request["version"]
        if beside_caller:
            self._hold_beside_caller()
        else:
            self._let_go_anywhere()
        with self._sending:
            request["files"] = None if version in self.versions else dict(files)
            write_progress(self.progress, started_cpu=-1.0)
            self.connection.send(("run", request))
            self.versions.add(version)
        self.sent = time.monotonic()

    def answer(
        self,
        request: dict,
        files: Mapping[str, bytes],
        host: Mapping[str, Callable],
        cpu_limit: float,
    ):
        """Serve the host functions the sent command calls, and return its answer.

        Raises LimitExceeded (the process is then dead) when the command breaches its CPU time
        or memory, and EngineProcessFailed when the process failed for another reason.
        """
        version = request["version"]
        waited = self.sent
        yields = request["operation"] not in NEVER_YIELDS
        while True:
            remaining = self._budget_left(cpu_limit, waited, yields)
            try:
                ready = bool(self._reply.poll(remaining * 1000))
            except (OSError, EOFError):
                ready = True  # the process has gone; recv says so
            if not ready:
                continue  # checked by _budget_left on the next round
            try:
                message = self.connection.recv()
            except (OSError, EOFError):
                raise self._died(cpu_limit) from None
            kind = message[0]
            if kind == "call":
                self._serve(host, message[1], message[2])
            elif kind == "unknown version":
                self.versions.discard(version)
                request["files"] = dict(files)
                self.connection.send(("run", request))
                self.versions.add(version)
            elif kind == "ok":
                self.retiring = message[2]
                return message[1]
            elif kind == "error":
                self.retiring = message[3]
                raise _error_from(message[1], message[2])
            else:
                raise EngineProcessFailed(f"unexpected message {kind!r}")

    def _budget_left(self, cpu_limit: float, waited: float, yields: bool) -> float:
        """How long to wait before looking again; kills the process past its limit."""
        now = time.monotonic()
        # The engine process runs one thread, so a command has used no more CPU than the time
        # since it was sent: until that reaches the first point where its CPU matters, there
        # is nothing to look at (reading the kernel's figures costs more than most commands).
        first = cpu_limit if self.yielding or not yields else min(cpu_limit, YIELD_AFTER_SECONDS)
        if now - waited < first:
            return first - (now - waited)
        started, element = read_progress(self.progress)
        if started <= 0:  # still getting ready: the service's own work
            if now - waited > STARTUP_SECONDS:
                self.close()
                raise EngineProcessFailed("the engine process did not get ready in time")
            return 0.05
        used = (cpu_seconds(self.process.pid) or 0.0) - started
        if yields and used >= YIELD_AFTER_SECONDS and not self.yielding:
            self._yield()
        if used >= cpu_limit and self._still_over(cpu_limit):
            self.close()
            raise LimitExceeded(
                f"the command used more than {cpu_limit:g} s of CPU time and was stopped",
                element,
                "CPU time",
                f"more than {cpu_limit:g} s",
            )
        if now - waited > cpu_limit * WALL_FACTOR:
            self.close()
            raise LimitExceeded(
                f"the command took more than {cpu_limit * WALL_FACTOR:g} s and was stopped",
                element,
                "time",
                f"more than {cpu_limit * WALL_FACTOR:g} s",
            )
        # A command that uses CPU all the time reaches its limit (or the point where it
        # yields) no sooner than this.
        if self.yielding or not yields:
            return max(cpu_limit - used, 0.01)
        return max(min(cpu_limit, YIELD_AFTER_SECONDS) - used, 0.01)

    def _yield(self) -> None:
        try:
            ours = os.getpriority(os.PRIO_PROCESS, 0)
            os.setpriority(os.PRIO_PROCESS, self.process.pid, ours + YIELDING_NICENESS)
        except OSError:
            return  # gone meanwhile: the next look finds it so
        self.yielding = True
        self._let_go_anywhere()
        self.let_caller_go()

    def _hold_beside_caller(self) -> None:
        cpu = _sched_getcpu() if _sched_getcpu else -1
        if cpu < 0 or cpu not in self.anywhere:
            return
        if cpu != self.beside:
            try:
                os.sched_setaffinity(self.process.pid, {cpu})
            except OSError:
                return  # gone meanwhile, or not allowed: it runs where the kernel puts it
            self.beside = cpu
        try:
            caller = os.sched_getaffinity(0)  # the calling thread's own
            os.sched_setaffinity(0, {cpu})
        except OSError:
            return
        self.caller_anywhere = caller

    def let_caller_go(self) -> None:
        """The calling thread may run on its CPUs again (it was held beside its command)."""
        if self.caller_anywhere is None:
            return
        caller, self.caller_anywhere = self.caller_anywhere, None
        # Should the CPUs have changed meanwhile, the kernel keeps the thread where it may run.
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, caller)

    def _let_go_anywhere(self) -> None:
        if self.beside is None:
            return
        try:
            os.sched_setaffinity(self.process.pid, self.anywhere)
        except OSError:
            return
        self.beside = None

    def restore_priority(self) -> bool:
        """Back to the service's priority after a long command; False when not allowed
        (raising priority needs a privilege the service may lack)."""
        if not self.yielding:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, os.getpriority(os.PRIO_PROCESS, 0))
        except OSError:
            return False
        self.yielding = False
        return True

    def _still_over(self, cpu_limit: float) -> bool:
        """Look again before stopping a process: its figures must agree twice."""
        time.sleep(0.005)
        started, _ = read_progress(self.progress)
        return started > 0 and (cpu_seconds(self.process.pid) or 0.0) - started >= cpu_limit

    def _died(self, cpu_limit: float) -> Exception:
        _, element = read_progress(self.progress)
        code = self.process.wait()
        self.close()
        if code == -signal.SIGXCPU:
            return LimitExceeded(
                f"the command used more than {cpu_limit:g} s of CPU time and was stopped",
                element,
                "CPU time",
                f"more than {cpu_limit:g} s",
            )
        return EngineProcessFailed(f"the engine process stopped unexpectedly (exit {code})")

    def _serve(self, host: Mapping[str, Callable], name: str, args: tuple) -> None:
        function = host.get(name)
        try:
            if function is None:
                raise DiagramError(f"{name}() is not available here")
            result = function(*args)
        except Exception as error:  # the engine process turns it into the diagram's error
            self.connection.send(("failed", type(error).__name__, str(error)))
        else:
            self.connection.send(("result", result))


def _error_from(kind: str, payload: dict) -> Exception:
    if kind == "form":
        return FormInvalid([FieldError(**error) for error in payload["errors"]])
    if kind == "not open":
        return TaskNotOpen(payload["task_id"])
    if kind == "state version":
        return StateVersionMismatch(payload["message"])
    if kind == "limit":
        return LimitExceeded(
            payload["message"], payload["element_id"], payload["limit"], payload["figure"]
        )
    if kind == "stalled":
        return CaseStalled(payload["message"], payload["element_id"])
    if kind == "diagram":
        return DiagramError(payload["message"], payload["element_id"])
    return EngineProcessFailed(payload.get("message", kind))


@dataclass
class EnginePool:
    """Engine processes for one service process: one per command running at once, reused,
    and one spare beside them, started ahead with the versions in use already loaded, so that
    a process stopped at a limit is replaced at once (starting one and loading a version
    takes far longer than a command)."""

    idle: list[EngineProcess] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pid: int = field(default_factory=os.getpid)
    # The versions in use, most recent last, with their files: each new process loads them.
    versions: OrderedDict = field(default_factory=OrderedDict)
    running: int = 0  # processes taken for a command and not yet given back

    def begin(self, request, files, host, cpu_limit) -> "Pending":
        """Start a command in an engine process; its answer comes from ``Pending.result``."""
        process = self._take(request["version"], files, request["host"])
        # A command is run beside its caller only when it is the service process's one
        # command running: two held to one CPU would wait on each other with another free.
        alone = self.running == 1
        try:
            process.send(request, files, beside_caller=alone)
        except BaseException:
            self._finished(process, keep=False)
            raise
        return Pending(self, process, request, files, host, cpu_limit)

    def _finished(self, process: EngineProcess, keep: bool) -> None:
        """A taken process's command is over: keep it for the next command, or let it go.
        Called by the command's caller, which is no longer held beside it."""
        process.let_caller_go()
        with self.lock:
            self.running -= 1
        if not keep or process.retiring or not process.alive or not process.restore_priority():
            process.close()
            return
        with self.lock:
            self.idle.append(process)

    def _take(self, version: str, files: Mapping[str, bytes], host: list[str]) -> EngineProcess:
        with self.lock:
            if self.pid != os.getpid():  # forked: the processes belong to the parent
                self.idle, self.pid, self.running = [], os.getpid(), 0
            self.running += 1
            if version not in self.versions:
                self.versions[version] = (files, host)
                while len(self.versions) > KEEP_VERSIONS:
                    self.versions.popitem(last=False)
                for process in self.idle:
                    _send_ahead_in_background(process, [(version, (files, host))])
            self.versions.move_to_end(version)
            taken = None
            while self.idle and taken is None:
                process = self.idle.pop()  # the most recent keeps the case's workflow
                if process.alive:
                    taken = process
                else:
                    process.close()
            if not self.idle:
                self.idle.append(self._started())
        return taken or self._started()

    def _started(self) -> EngineProcess:
        process = EngineProcess()
        # The most recent first: the command that needs this process next is likeliest on it.
        # Sent from a thread of its own: until the new process reads them (once it has
        # started), sending the files would hold up the command that asked for it.
        _send_ahead_in_background(process, list(reversed(self.versions.items())))
        return process

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for process in idle:
            process.close()


def _send_ahead_in_background(process: EngineProcess, versions: list) -> None:
    threading.Thread(target=_send_ahead, args=(process, versions), daemon=True).start()


def _send_ahead(process: EngineProcess, versions: list) -> None:
    try:
        for version, (files, host) in versions:
            process.preload(version, files, host)
    except OSError:
        pass  # the process has gone; whoever takes it next will find it so


class Pending:
    """A command running in an engine process. The caller may do work of its own meanwhile
    (the service's own reads and writes); then it must ask for ``result`` or ``abandon`` it."""

    def __init__(self, pool, process, request, files, host, cpu_limit) -> None:
        self.pool, self.process = pool, process
        self.request, self.files, self.host, self.cpu_limit = request, files, host, cpu_limit

    def result(self):
        process, self.process = self.process, None
        try:
            answer = process.answer(self.request, self.files, self.host, self.cpu_limit)
        except (FormInvalid, TaskNotOpen, StateVersionMismatch, DiagramError):
            self.pool._finished(process, keep=True)  # refused: the process is sound, unless it says
            raise
        except BaseException:
            # Stopped at a limit (then it is dead already), or interrupted mid-command.
            self.pool._finished(process, keep=False)
            raise
        self.pool._finished(process, keep=True)
        return answer

    def abandon(self) -> None:
        """Give up on the command (the caller failed meanwhile): its process is let go."""
        if self.process is not None:
            self.pool._finished(self.process, keep=False)
            self.process = None


_pool = EnginePool()


class IsolatedRunner:
    """A Runner's commands, run in an engine process under ``limits``.

    ``catalog`` serves what the service reads itself (forms, processes); the engine process
    builds its own from the same files. ``host`` names the functions diagrams and forms may
    call that must run in the service process.
    """

    def __init__(
        self,
        catalog: Catalog,
        host: Mapping[str, Callable],
        limits: EngineLimits,
        fresh: bool = False,
        engines: EnginePool | None = None,
    ):
        self.catalog = catalog
        self.host = dict(host)
        self.limits = limits
        self.fresh = fresh
        self.engines = engines or _pool
        self._host_names = sorted(self.host)
        self._restorer: Runner | None = None

    def detached(self) -> "IsolatedRunner":
        """The same: the workflows an engine process keeps are found only by their text."""
        return self

    def start(self, process_id: str, data: dict, language: str = "en") -> Outcome:
        return self._run("start", process_id, data, language)

    def complete(
        self, process_id: str, state: str, task_id: str, data: dict, language: str = "en"
    ) -> Outcome:
        return self._run("complete", process_id, state, task_id, data, language)

    def fire_due_timers(self, process_id: str, state: str) -> Outcome:
        return self._run("fire_due_timers", process_id, state)

    def migrate(
        self,
        process_id: str,
        state: str,
        mapping: dict[str, str],
        old_shapes: dict,
        version_label: str,
    ):
        return self._run("migrate", process_id, state, mapping, old_shapes, version_label)

    def task_view(
        self,
        process_id: str,
        state: str,
        task_id: str,
        template: str | None = None,
        language: str = "en",
    ) -> tuple[dict, dict | None, str | None]:
        return self._run("task_view", process_id, state, task_id, template, language)

    def instructions(self, template: str | None, data: dict, language: str = "en") -> str | None:
        return self._run("instructions", template, data, language)

    def restore(self, process_id: str, state: str):
        """The workflow rebuilt from its saved text, here (restoring runs no diagram code)."""
        if self._restorer is None:
            self._restorer = Runner(self.catalog, keep=0)
        return self._restorer.restore(process_id, state)

    def begin(self, operation: str, *args) -> Pending:
        """Start ``operation`` (a Runner method's name) in an engine process, and return at
        once: the caller may do its own work while the engine runs."""
        return self.engines.begin(
            self._request(operation, args),
            self.catalog.files,
            self.host,
            self.limits.cpu_for(operation),
        )

    def _run(self, operation: str, *args):
        return self.begin(operation, *args).result()

    def _request(self, operation: str, args: tuple) -> dict:
        return {
            "version": self.catalog.content_hash,
            "host": self._host_names,
            "operation": operation,
            "args": args,
            # The command's instant, as the service fixed it (or now): the engine process
            # runs on it, so timers and due dates agree with the service's clock.
            "at": clock.fixed() or clock.now(),
            "limits": self.limits,
            "fresh": self.fresh,
        }


def cpu_rlimit(used: float, cpu_limit: float) -> int:
    """RLIMIT_CPU's soft limit for a command: a whole second past its budget, as a backstop."""
    return math.ceil(used + cpu_limit) + 1
