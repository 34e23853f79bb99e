"""Completions a second that the Procfile's web process serves on PostgreSQL, and what each costs.

Runs the Procfile's `web` command as it stands (gunicorn, its worker class, 2 workers of 4
threads, engine processes isolating diagram code) against a PostgreSQL schema of its own, and
drives it for a fixed time from client threads in this process, each on one kept-alive
connection (http.client), as Sergeants working their review rounds.

The work: CASES `stalking_harassment` cases, each waiting on the Sergeant's supervisory review
(the case investigated, the suspect released under investigation). A Sergeant completes a review
with "continue the investigation", which opens the case's next review round, so a case can be
reviewed again and again and its saved state grows round by round as a case's does over months.
Each request picks a case at random and completes the review the client last saw open on it;
two Sergeants on the same case at once is a real conflict, answered 409, and the loser takes the
case's new review from the winner's answer (conflicts are counted, not errors). One case is
driven to its review through the real commands; the others are copies of it, rows and history
alike, with fresh ids and their history's hashes linked anew (set-up only: every completion
measured goes through HTTP).

Measured in the same run: completions a second, latency p50 and p99 at the client, 5xx
answers, 409 conflicts, and the server's CPU per completion from /proc: gunicorn, its workers
and their engine processes, and the PostgreSQL backends serving this database, between the
window's start and end. The machine's ceiling is its cores over that CPU per completion;
``of_ceiling`` is the rate reached over it (the clients' own CPU is printed beside it, as it
shares the cores). The clients' CPU a request is also a rough reading of the machine's pace:
no change to the service touches it, and on a shared machine it moves with everything else, so
``cpu_over_client`` (the server's CPU a completion over it) roughly compares runs made in
different spells. Targets: at least 300 completions a second, p99 at most 100 ms, no 5xx, and
at least 0.75 of the ceiling; exits 1 naming any missed. The last line holds the figures.

--against-args "ARGS" and --against-root DIR compare instead: the web process as it stands (a)
and another (b), given more gunicorn arguments (``--workers 4 --threads 2``, say) or run from
another checkout (a git worktree of an earlier commit, say, sharing this database's schema),
both serving the same cases and driven in turns of --turn seconds, which goes first alternating,
until each has been measured for --seconds (a case one side saves, the other may take up next: a
change to what a case's history schedules, such as checkpoints, shows larger than it is alone).
Each side's connections carry an application name, so its PostgreSQL backends' CPU is its own.
Comparing within one run, a slow spell of a shared machine falls on both alike, where figures of
separate runs move by a third. It prints each side's figures and b over a; the last line is
``a_completions_per_s= a_p99_ms= a_cpu_ms_per_completion= b_... cpu_ratio= rate_ratio=
server_errors= ok=``, and it exits 1 when either side answered a 5xx or an unexpected answer.

--profile profiles instead of timing: first completions in this process through Flask's test
client (the engine in this process, so its work shows), then the same load under gunicorn with
each worker's request threads profiled (cProfile); it prints the top functions of each.

    .venv/bin/python bench/throughput.py [--database postgresql://...] [--seconds 30]
        [--cases 1000] [--clients 8] [--profile [--profile-dir DIR]]
        [--against-args "ARGS" | --against-root DIR [--turn 3]]
"""

import argparse
import contextlib
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from service import create_app  # noqa: E402
from service.audit.chain import event_hash, state_digest, time_text  # noqa: E402
from service.audit.models import CaseAuditHead, CaseEvent  # noqa: E402
from service.auth import Actor, create_user  # noqa: E402
from service.commands import complete_task, start_case  # noqa: E402
from service.config import database_url  # noqa: E402
from service.db import db  # noqa: E402
from service.definitions import deploy_directory  # noqa: E402
from service.messages import CompleteTask, StartCase  # noqa: E402
from service.models import Case, CaseMatchKey, Task, Timer  # noqa: E402
from tests.samples import (  # noqa: E402
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)

PROCESS = "stalking_harassment"
REVIEW = "sergeant_review"
TARGET_RATE, TARGET_P99_MS, TARGET_OF_CEILING = 300.0, 100.0, 0.75
SERGEANTS = 8
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PROFILE_HOOKS = ROOT / "bench" / "profile_workers.py"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the database -------------------------------------------------------------------------


@contextlib.contextmanager
def schema_of_its_own(url: str):
    """A schema of its own in the PostgreSQL database, dropped afterwards."""
    if not url.startswith(("postgresql", "postgres:")):
        raise SystemExit("bench/throughput.py runs on PostgreSQL: give --database postgresql://...")
    base = database_url(url)
    schema = f"bench_tput_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def actor(name: str, role: str) -> tuple[Actor, str]:
    user, token = create_user(name, [role])
    db.session.flush()
    return Actor(user.id, user.name, frozenset({role})), token


def template_case() -> str:
    """One case driven through the commands to the Sergeant's review; its id."""
    people = {
        role: actor(f"bench-{role.lower().replace(' ', '-')}", role)[0]
        for role in ("Call Handler", "Vulnerability Desk", "Attending Officer", "Investigator")
    }
    people["MARAC Unit"] = actor("bench-marac", "MARAC Unit")[0]
    db.session.commit()
    changed = start_case(StartCase(PROCESS, CALL, people["Call Handler"]))
    for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
        open_now = [t for t in changed.open_tasks if t.bpmn_id == bpmn_id]
        assert open_now, (bpmn_id, [t.bpmn_id for t in changed.open_tasks])
        [task] = open_now
        who = next(p for p in people.values() if task.lane in p.role_names)
        data = victim_contacted(bpmn_id, data, changed.case.data)
        changed = complete_task(CompleteTask(task.id, data, who))
    assert [t.bpmn_id for t in changed.open_tasks] == [REVIEW], changed.open_tasks
    return changed.case.id


def _rows(table: sa.Table, case_id: str) -> list[dict]:
    return [
        row._asdict()
        for row in db.session.execute(sa.select(table).where(table.c.case_id == case_id))
    ]


def copy_case(case_id: str, count: int) -> list[tuple[str, str]]:
    """``count`` copies of the case: every row of it with fresh ids, its history's hashes
    linked anew over the copied content. Returns each copy's (case id, open review task id)."""
    cases, tasks, timers = Case.__table__, Task.__table__, Timer.__table__
    keys, events, heads = CaseMatchKey.__table__, CaseEvent.__table__, CaseAuditHead.__table__
    [case_row] = [
        row._asdict() for row in db.session.execute(sa.select(cases).where(cases.c.id == case_id))
    ]
    task_rows, timer_rows = _rows(tasks, case_id), _rows(timers, case_id)
    key_rows, event_rows = (
        _rows(keys, case_id),
        sorted(_rows(events, case_id), key=lambda r: r["seq"]),
    )
    [head] = _rows(heads, case_id)
    template_state_hash = state_digest(case_row["state"])
    olds = set(UUID_RE.findall(case_row["state"])) | {row["id"] for row in task_rows}
    olds |= {old for row in event_rows for old in UUID_RE.findall(row["payload"])}
    olds.discard(case_id)
    [review] = [row["id"] for row in task_rows if row["status"] == "open"]
    made, batches = (
        [],
        {name: [] for name in ("cases", "tasks", "timers", "keys", "events", "heads")},
    )
    for _ in range(count):
        fresh = {old: str(uuid.uuid4()) for old in olds}
        fresh[case_id] = copy_id = str(uuid.uuid4())

        def renew(text: str, ids=fresh) -> str:
            return UUID_RE.sub(lambda found: ids.get(found[0], found[0]), text)

        state = renew(case_row["state"])
        batches["cases"].append({**case_row, "id": copy_id, "state": state})
        batches["tasks"] += [
            {**row, "id": fresh[row["id"]], "case_id": copy_id} for row in task_rows
        ]
        batches["timers"] += [
            {
                **{k: v for k, v in row.items() if k != "id"},
                "case_id": copy_id,
                "task_id": fresh.get(row["task_id"], row["task_id"]),
            }
            for row in timer_rows
        ]
        batches["keys"] += [{**row, "case_id": copy_id} for row in key_rows]
        prev, state_hash = event_rows[0]["prev_hash"], None
        for row in event_rows:
            state_hash = (
                state_digest(state)
                if row["state_hash"] == template_state_hash
                else row["state_hash"]
            )
            payload = renew(row["payload"])
            digest = event_hash(
                copy_id,
                row["seq"],
                row["type"],
                row["actor_id"],
                row["actor_name"],
                row["actor_role"],
                time_text(row["at"]),
                payload,
                state_hash,
                prev,
            )
            batches["events"].append(
                {
                    **{k: v for k, v in row.items() if k != "id"},
                    "case_id": copy_id,
                    "payload": payload,
                    "state_hash": state_hash,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        batches["heads"].append(
            {"case_id": copy_id, "seq": head["seq"], "hash": prev, "state_hash": state_hash}
        )
        made.append((copy_id, fresh[review]))
    for name, table in (
        ("cases", cases),
        ("tasks", tasks),
        ("timers", timers),
        ("keys", keys),
        ("events", events),
        ("heads", heads),
    ):
        rows = batches[name]
        for start in range(0, len(rows), 2000):
            db.session.execute(sa.insert(table), rows[start : start + 2000])
    db.session.commit()
    return made


def set_up(url: str, count: int) -> tuple[list[str], dict[str, str]]:
    """Definitions, Sergeants with tokens, and ``count`` cases at the Sergeant's review.
    Returns the Sergeants' tokens and each case's open review."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ENGINE_ISOLATED": False})
    with app.app_context():
        upgrade()
        deploy_directory(ROOT, actor="bench")
        db.session.commit()
        tokens = [actor(f"bench-sergeant-{n}", "Sergeant")[1] for n in range(SERGEANTS)]
        db.session.commit()
        template = template_case()
        made = copy_case(template, count)
        with db.engine.connect() as connection:
            connection.execute(sa.text("COMMIT"))
            connection.execute(sa.text("ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return tokens, dict(made)


# --- the server and its CPU -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def web_command(port: int, extra: list[str], root: Path = ROOT) -> list[str]:
    """The Procfile's web process (of the checkout at ``root``), on the given port."""
    for line in (root / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            command = line.removeprefix("web:").strip().replace("${PORT:-5000}", str(port))
            return [*shlex.split(command), *extra]
    raise SystemExit("the Procfile has no web process")


@contextlib.contextmanager
def serving(url: str, extra: list[str] = (), environment: dict | None = None, root: Path = ROOT):
    """The web process of the checkout at ``root`` serving the database at ``url``."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GWARCHOD_SECRET_KEY": uuid.uuid4().hex,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **(environment or {}),
    }
    server = subprocess.Popen(
        web_command(port, list(extra), root), cwd=root, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the web process did not start") from None
                time.sleep(0.2)
        yield server, port
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn stops its workers gracefully
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def process_cpu(pid: int) -> float:
    """User and system CPU seconds of a process (and of its children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / _CLOCK_TICKS


def descendants(pid: int) -> set[int]:
    """The process and every process under it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def backends(url: str, application: str | None = None) -> set[int]:
    """The PostgreSQL backends connected to the bench's database (those of one web process
    only, when its connections carry ``application`` as their application name)."""
    engine = sa.create_engine(url)
    query = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    if application is not None:
        query += " AND application_name = :application"
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text(query), {"application": application}))
    finally:
        engine.dispose()


def named(url: str, application: str) -> str:
    """The database URL with its connections named ``application`` in pg_stat_activity."""
    return f"{url}{'&' if '?' in url else '?'}application_name={application}"


class ServerCpu:
    """CPU seconds the web process tree and the database's backends use over a window."""

    def __init__(self, server_pid: int, url: str, application: str | None = None):
        self.server_pid, self.url, self.application = server_pid, url, application

    def snapshot(self) -> dict[int, tuple[str, float]]:
        """Each process's part (web, engine or database) and CPU seconds so far."""
        parts = {pid: "web" for pid in descendants(self.server_pid)}
        for pid in parts:
            with contextlib.suppress(OSError):
                if b"workflows.engine_process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    parts[pid] = "engine"
        parts.update(dict.fromkeys(backends(self.url, self.application), "database"))
        return {pid: (part, process_cpu(pid)) for pid, part in parts.items()}

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        """CPU seconds each part used between the snapshots. A process born in the window counts
        whole; one that ended in it is lost (the pools keep their connections and engine
        processes, so none should)."""
        parts = {"web": 0.0, "engine": 0.0, "database": 0.0}
        for pid, (part, seconds) in after.items():
            parts[part] += seconds - before.get(pid, (part, 0.0))[1]
        return parts


# --- the load -------------------------------------------------------------------------------


class Load:
    """Client threads completing Sergeants' reviews until told to stop."""

    def __init__(self, port: int, tokens: list[str], reviews: dict[str, str], clients: int):
        self.port, self.tokens, self.reviews = port, tokens, reviews
        self.case_ids = list(reviews)
        self.clients = clients
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.counting = threading.Event()
        self.stopping = threading.Event()
        self.failures: list[str] = []
        self.body = json.dumps({"data": REVIEW_CONTINUE}).encode()

    def run_client(self, number: int) -> None:
        headers = {
            "Authorization": f"Bearer {self.tokens[number % len(self.tokens)]}",
            "Content-Type": "application/json",
        }
        chooser = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        latencies, statuses = [], {}
        while not self.stopping.is_set():
            case_id = chooser.choice(self.case_ids)
            task_id = self.reviews[case_id]
            started = time.perf_counter()
            try:
                connection.request("POST", f"/api/v1/tasks/{task_id}/complete", self.body, headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = time.perf_counter() - started
            if response.status == 200:
                opened = [
                    t["id"] for t in json.loads(answer)["open_tasks"] if t["bpmn_id"] == REVIEW
                ]
                if len(opened) != 1:
                    self.failures.append(f"no next review on {case_id}: {answer[:300]!r}")
                else:
                    self.reviews[case_id] = opened[0]  # one assignment: atomic for threads
            elif response.status != 409:
                self.failures.append(f"{response.status}: {answer[:300]!r}")
            if self.counting.is_set():
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()
        with self.lock:
            self.latencies += latencies
            for status, count in statuses.items():
                self.statuses[status] = self.statuses.get(status, 0) + count

    def threads(self) -> list[threading.Thread]:
        return [
            threading.Thread(target=self.run_client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]


def drive(
    port: int,
    tokens,
    reviews,
    clients: int,
    seconds: float,
    cpu: ServerCpu | None,
    warm_up: float,
) -> dict:
    """Run the load: ``warm_up`` seconds unmeasured (the workers' catalogs parsed, their engine
    processes started), then ``seconds`` measured."""
    load = Load(port, tokens, reviews, clients)
    threads = load.threads()
    for thread in threads:
        thread.start()
    time.sleep(warm_up)
    before = cpu.snapshot() if cpu else {}
    own_before = time.process_time()
    started = time.perf_counter()
    load.counting.set()
    time.sleep(seconds)
    load.counting.clear()
    elapsed = time.perf_counter() - started
    after = cpu.snapshot() if cpu else {}
    own = time.process_time() - own_before
    load.stopping.set()
    for thread in threads:
        thread.join(timeout=60)
    return {
        "elapsed": elapsed,
        "latencies": load.latencies,
        "statuses": load.statuses,
        "failures": load.failures,
        "server_cpu": ServerCpu.used(before, after) if cpu else None,
        # Engine processes started while measuring: their start-up is counted in the CPU.
        "started": sorted(
            part for pid, (part, _) in after.items() if pid not in before and part != "database"
        ),
        "client_cpu": own,
    }


# --- profiles -------------------------------------------------------------------------------


def print_top(stats: pstats.Stats, title: str, count: int = 25) -> None:
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(order).print_stats(count)
        text = out.getvalue()
        body = text[text.find("   ncalls") :]
        print(f"--- {title}, by {order} ---\n{body}", flush=True)


def profile_in_process(
    url: str, tokens: list[str], reviews: dict[str, str], count: int, keep: str | None
) -> None:
    """``count`` completions through Flask's test client, the engine in this process."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ENGINE_ISOLATED": False})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    body = {"data": REVIEW_CONTINUE}
    case_ids = list(reviews)

    def complete(case_id: str) -> None:
        response = client.post(
            f"/api/v1/tasks/{reviews[case_id]}/complete", json=body, headers=headers
        )
        assert response.status_code == 200, response.text
        [reviews[case_id]] = [t["id"] for t in response.json["open_tasks"]]

    for case_id in case_ids[:20]:  # warm up: the catalog parsed, connections made
        complete(case_id)
    chosen = [case_ids[20 + n % (len(case_ids) - 20)] for n in range(count)]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for case_id in chosen:
        complete(case_id)
    profiler.disable()
    ms = (time.perf_counter() - started) * 1000 / count
    print(f"in process: {count} completions, {ms:.2f} ms each (under the profiler)")
    if keep:
        profiler.dump_stats(os.path.join(keep, "in-process.prof"))
    print_top(pstats.Stats(profiler), "a completion in process")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def profile_under_gunicorn(
    url, tokens, reviews, clients: int, seconds: float, keep: str | None
) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = keep or temporary
        environment = {"GWARCHOD_BENCH_PROFILE_DIR": folder}
        with serving(url, ["--config", str(PROFILE_HOOKS)], environment) as (_server, port):
            result = drive(port, tokens, reviews, clients, seconds, None, warm_up=10.0)
        files = sorted(str(path) for path in Path(folder).glob("*.prof"))
        done = result["statuses"].get(200, 0)
        print(
            f"under gunicorn: {done} completions in {result['elapsed']:.1f} s, "
            f"{len(files)} request threads profiled"
        )
        if files:
            print_top(pstats.Stats(*files), "completions under gunicorn (request threads)")


# --- the figures ----------------------------------------------------------------------------


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL") or os.environ.get("GWARCHOD_TEST_POSTGRES_URL"),
        help="a PostgreSQL URL; the bench works in a schema of its own there",
    )
    options.add_argument("--seconds", type=float, default=30.0)
    options.add_argument("--cases", type=int, default=1000)
    options.add_argument("--clients", type=int, default=8)
    options.add_argument(
        "--warm-up", type=float, default=10.0, help="seconds of load before measuring"
    )
    options.add_argument("--profile", action="store_true", help="where a completion's time goes")
    options.add_argument("--profile-dir", help="keep the profiles (.prof files) in this folder")
    options.add_argument(
        "--against-args",
        help="compare with the web process given these gunicorn arguments too, in turns",
    )
    options.add_argument(
        "--against-root",
        help="compare with the web process of the checkout in this folder, in turns",
    )
    options.add_argument(
        "--turn", type=float, default=3.0, help="seconds of each turn when comparing"
    )
    args = options.parse_args()
    if args.turn <= 0:
        options.error("--turn must be more than 0 seconds")
    if args.against_root and not (Path(args.against_root) / "Procfile").is_file():
        options.error(f"--against-root {args.against_root} is not a checkout: it has no Procfile")
    if not args.database:
        raise SystemExit("give --database postgresql://... (or set DATABASE_URL)")
    if args.profile_dir:
        os.makedirs(args.profile_dir, exist_ok=True)  # before minutes of setting up, not after

    with schema_of_its_own(args.database) as url:
        started = time.perf_counter()
        tokens, reviews = set_up(url, args.cases)
        print(
            f"{len(reviews)} cases at the Sergeant's review, set up in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        if args.against_args or args.against_root:
            compare(url, tokens, reviews, args)
        if args.profile:
            profile_in_process(url, tokens, reviews, 300, args.profile_dir)
            profile_under_gunicorn(
                url, tokens, reviews, args.clients, args.seconds, args.profile_dir
            )
            return
        with serving(url) as (server, port):
            result = drive(
                port,
                tokens,
                reviews,
                args.clients,
                args.seconds,
                ServerCpu(server.pid, url),
                args.warm_up,
            )

    figures = summary(result)
    rate, p99, cpu_ms, parts = figures["rate"], figures["p99"], figures["cpu_ms"], figures["parts"]
    statuses = result["statuses"]
    print(
        f"{figures['done']} completions in {result['elapsed']:.1f} s by {args.clients} clients; "
        "answers: " + ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
    )
    print(
        f"server CPU {cpu_ms:.2f} ms a completion (web workers, engine processes and "
        "PostgreSQL backends: "
        + ", ".join(f"{part} {ms:.2f}" for part, ms in parts.items())
        + f"); ceiling on {os.cpu_count() or 1} cores {figures['ceiling']:.0f}/s; the clients' "
        f"own CPU {figures['client_ms']:.2f} ms a request"
    )
    report_oddities(result)
    missed = [
        what
        for what, ok in (
            (f"rate below {TARGET_RATE:.0f}/s", rate >= TARGET_RATE),
            (f"p99 above {TARGET_P99_MS:.0f} ms", p99 <= TARGET_P99_MS),
            ("server errors", figures["server_errors"] == 0 and not result["failures"]),
            (
                f"below {TARGET_OF_CEILING} of the ceiling",
                figures["of_ceiling"] >= TARGET_OF_CEILING,
            ),
        )
        if not ok
    ]
    if missed:
        print(f"MISSED: {', '.join(missed)}")
    client_ms = figures["client_ms"]
    print(
        f"completions_per_s={rate:.1f} p50_ms={figures['p50']:.1f} p99_ms={p99:.1f} "
        f"server_errors={figures['server_errors']} conflicts={figures['conflicts']} "
        f"cpu_ms_per_completion={cpu_ms:.2f} "
        + "".join(f"{part}_ms={ms:.2f} " for part, ms in parts.items())
        + f"client_ms_per_request={client_ms:.2f} "
        f"cpu_over_client={cpu_ms / client_ms if client_ms else 0:.2f} "
        f"of_ceiling={figures['of_ceiling']:.2f}"
    )
    sys.exit(1 if missed else 0)


def summary(result: dict) -> dict:
    """A run's figures: the rate, latency, answers, and the server's CPU a completion."""
    statuses = result["statuses"]
    done = statuses.get(200, 0)
    ordered = sorted(result["latencies"]) or [0.0]
    rate = done / result["elapsed"] if result["elapsed"] else 0.0
    parts = {part: seconds * 1000 / max(done, 1) for part, seconds in result["server_cpu"].items()}
    cpu_ms = sum(parts.values())
    ceiling = (os.cpu_count() or 1) / (cpu_ms / 1000) if cpu_ms else 0.0
    return {
        "done": done,
        "rate": rate,
        "conflicts": statuses.get(409, 0),
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        "p50": percentile(ordered, 0.50) * 1000,
        "p99": percentile(ordered, 0.99) * 1000,
        "parts": parts,
        "cpu_ms": cpu_ms,
        "client_ms": result["client_cpu"] * 1000 / max(len(result["latencies"]), 1),
        "ceiling": ceiling,
        "of_ceiling": rate / ceiling if ceiling else 0.0,
    }


def report_oddities(result: dict) -> None:
    if result["started"]:
        print(
            f"{len(result['started'])} processes of the web process started while measuring "
            "(their start-up is in the CPU figure): give it a longer --warm-up"
        )
    if result["failures"]:
        print(f"{len(result['failures'])} unexpected answers, the first: {result['failures'][0]}")


# --- two web processes in turns -------------------------------------------------------------

# Unmeasured seconds at the start of each turn: the clients connect and the server wakes.
RAMP_SECONDS = 0.5


def drive_in_turns(sides: dict, tokens, reviews, clients, seconds, turn, warm_up) -> dict:
    """Drive each web process in turn, ``turn`` seconds at a time, until each has been measured
    for ``seconds``; which goes first alternates. ``sides``: name to (port, ServerCpu). A slow
    spell of a shared machine falls on both alike, so their figures compare."""
    for port, cpu in sides.values():
        drive(port, tokens, reviews, clients, 0.0, cpu, warm_up)
    runs: dict[str, list[dict]] = {name: [] for name in sides}
    for number in range(max(1, round(seconds / turn))):
        order = list(sides) if number % 2 == 0 else list(reversed(sides))
        for name in order:
            port, cpu = sides[name]
            runs[name].append(drive(port, tokens, reviews, clients, turn, cpu, RAMP_SECONDS))
    return {name: merged(results) for name, results in runs.items()}


def merged(results: list[dict]) -> dict:
    """Several measured windows of one web process as one."""
    cpu = {"web": 0.0, "engine": 0.0, "database": 0.0}
    statuses: dict[int, int] = {}
    for result in results:
        for part, seconds in result["server_cpu"].items():
            cpu[part] += seconds
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "elapsed": sum(result["elapsed"] for result in results),
        "latencies": [value for result in results for value in result["latencies"]],
        "statuses": statuses,
        "failures": [failure for result in results for failure in result["failures"]],
        "server_cpu": cpu,
        "started": [part for result in results for part in result["started"]],
        "client_cpu": sum(result["client_cpu"] for result in results),
        "turns": len(results),
    }


def compare(url: str, tokens, reviews, args) -> None:
    """The web process as it stands (a) against another (b): with other gunicorn arguments, or
    from another checkout, on the same cases, in turns."""
    root_b = Path(args.against_root).resolve() if args.against_root else ROOT
    extra_b = shlex.split(args.against_args or "")
    described = {
        "a": "the Procfile's web process",
        "b": "the Procfile's web process"
        + (f" of {root_b}" if args.against_root else "")
        + (f" with {' '.join(extra_b)}" if extra_b else ""),
    }
    with contextlib.ExitStack() as stack:
        sides = {}
        for name, extra, root in (("a", [], ROOT), ("b", extra_b, root_b)):
            application = f"bench_side_{name}"
            server, port = stack.enter_context(serving(named(url, application), extra, root=root))
            sides[name] = (port, ServerCpu(server.pid, url, application))
        results = drive_in_turns(
            sides, tokens, reviews, args.clients, args.seconds, args.turn, args.warm_up
        )
    figures = {name: summary(result) for name, result in results.items()}
    for name, result in results.items():
        side = figures[name]
        print(
            f"{name}: {described[name]}: {side['done']} completions in "
            f"{result['elapsed']:.1f} s over {result['turns']} turns, {side['rate']:.1f}/s, "
            f"p50 {side['p50']:.1f} ms, p99 {side['p99']:.1f} ms, 409 x{side['conflicts']}, "
            f"5xx x{side['server_errors']}; server CPU {side['cpu_ms']:.2f} ms a completion ("
            + ", ".join(f"{part} {ms:.2f}" for part, ms in side["parts"].items())
            + ")"
        )
        report_oddities(result)
    a, b = figures["a"], figures["b"]
    cpu_ratio = b["cpu_ms"] / a["cpu_ms"] if a["cpu_ms"] else 0.0
    rate_ratio = b["rate"] / a["rate"] if a["rate"] else 0.0
    print(f"b over a: CPU a completion x{cpu_ratio:.3f}, completions a second x{rate_ratio:.3f}")
    failed = any(side["server_errors"] for side in figures.values()) or any(
        result["failures"] for result in results.values()
    )
    print(
        " ".join(
            f"{name}_completions_per_s={side['rate']:.1f} {name}_p99_ms={side['p99']:.1f} "
            f"{name}_cpu_ms_per_completion={side['cpu_ms']:.2f}"
            for name, side in figures.items()
        )
        + f" cpu_ratio={cpu_ratio:.3f} rate_ratio={rate_ratio:.3f} "
        f"server_errors={a['server_errors'] + b['server_errors']} ok={int(not failed)}"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
