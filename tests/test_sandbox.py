"""The diagram sandbox: refusals, work limits, data semantics, helpers, Spiff, Jinja."""

from __future__ import annotations

import sys
import threading
import time
import tracemalloc
import types
from datetime import UTC, date, datetime

import pytest
import time_machine
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from tests.names import with_welsh_names
from tests.test_catalog import flow, form_files, simple, user_task
from workflows import diagram_functions as df
from workflows.catalog import build_catalog
from workflows.instructions import check_template, render_instructions
from workflows.runner import DiagramError, Runner
from workflows.sandbox import (
    CodeRefused,
    ResultTooLarge,
    SandboxEnvironment,
    SandboxError,
    WorkLimitExceeded,
    check_expression,
    check_script,
    compile_expression,
    guarded_attribute,
    make_script_engine,
)


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment()


def assert_still_works(env: SandboxEnvironment) -> None:
    assert env.evaluate("risk == 'high' and len(items) > 1", {"risk": "high", "items": [1, 2]})


# --- refused code -------------------------------------------------------------

REFUSED_EXPRESSIONS = [
    ("__import__('os').system('id')", "'__import__'"),
    ("open('/etc/passwd').read()", "open()"),
    ("().__class__.__base__.__subclasses__()", "'__class__'"),
    ("'{0.__class__}'.format(1)", "'format'"),
    ("eval('1')", "Eval"),
    ("getattr(x, 'y')", "getattr()"),
    ("type(x)", "type()"),
    ("[*a, *a]", "'*'"),
    ("f'{x:{w}}'", "computed format"),
    ("f'{x:>100000000}'", "widths"),
]


@pytest.mark.parametrize(("source", "reason"), REFUSED_EXPRESSIONS)
def test_expression_refused_statically_and_at_run_time(
    env: SandboxEnvironment, source: str, reason: str
) -> None:
    problems = check_expression(source)
    assert problems and reason in " ".join(problems)
    with pytest.raises(CodeRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        env.evaluate(source, {"x": 1, "a": [1], "w": 5})
    assert_still_works(env)


REFUSED_SCRIPTS = [
    ("import os", "import is not allowed"),
    ("from os import system", "import is not allowed"),
    ("class A:\n    pass", "defining a class"),
    ("with x:\n    pass", "'with'"),
    ("def g():\n    yield 1", "'yield'"),
    ("print('hi')", "'print'"),
    ("x._secret = 1", "'_secret'"),
    ("_getattr_ = 1", "'_getattr_'"),
    ("x = (", "SyntaxError"),
]


@pytest.mark.parametrize(("source", "reason"), REFUSED_SCRIPTS)
def test_script_refused_statically_and_at_run_time(
    env: SandboxEnvironment, source: str, reason: str
) -> None:
    problems = check_script(source)
    assert problems and reason in " ".join(problems)
    data = {"x": 1}
    with pytest.raises(CodeRefused):
        env.execute(source, data)
    assert data == {"x": 1}  # refused before the data was touched
    assert_still_works(env)


def test_refused_names_also_fail_at_run_time() -> None:
    # Defence in depth behind the static checks.
    for name in ("__class__", "__globals__", "format", "gi_frame", "mro"):
        with pytest.raises(SandboxError):
            guarded_attribute("text", name)
    with pytest.raises(SandboxError, match="not available"):
        guarded_attribute(1, "to_bytes")
    with pytest.raises(SandboxError, match="on a value"):
        guarded_attribute(str, "join")


def test_builtins_that_are_not_offered_are_name_errors(env: SandboxEnvironment) -> None:
    # As plain names they might be task data, so only calls are refused statically.
    assert env.evaluate("open", {"open": True}) is True
    for name in ("open", "exec", "compile", "globals", "vars", "type", "getattr"):
        with pytest.raises(NameError):
            env.evaluate(name, {})


def test_no_module_is_reachable_from_the_sandbox(env: SandboxEnvironment) -> None:
    roots: list[object] = list(env.globals.values())
    roots += list(env.globals["__builtins__"].values())
    # Values scripts get back from helpers, too.
    roots += [df.now(), df.parse_datetime("2026-01-01T10:00:00Z"), date(2026, 1, 1), "text", 1]
    seen: set[int] = set()
    frontier = [(root, "root") for root in roots]
    for _depth in range(3):
        following = []
        for obj, path in frontier:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            assert not isinstance(obj, types.ModuleType), f"module reachable via {path}"
            for attr in dir(obj):
                if attr.startswith("_"):
                    continue
                try:
                    value = getattr(obj, attr)
                except Exception:
                    continue
                assert not isinstance(value, types.ModuleType), f"{path}.{attr} is a module"
                following.append((value, f"{path}.{attr}"))
        frontier = following
    assert len(seen) > 100  # the walk really walked


def test_gateway_condition_cannot_write_a_file(env: SandboxEnvironment, tmp_path) -> None:
    target = tmp_path / "x"
    condition = f"open({str(target)!r}, 'w').write('1') or risk == 'high'"
    assert check_expression(condition)
    with pytest.raises(SandboxError):
        env.evaluate(condition, {"risk": "high"})
    assert not target.exists()
    assert_still_works(env)


def test_service_tasks_are_not_available(env: SandboxEnvironment) -> None:
    with pytest.raises(SandboxError, match="service tasks"):
        env.call_service({}, operation_name="x")


# --- bounded work -------------------------------------------------------------

ENDLESS = [
    "while True: pass",
    "while True:\n    x = 1",
    "for x in [1]:\n    while 1: pass",
    "try:\n    while True: pass\nexcept:\n    pass",
    "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass",
    "try:\n    while True: pass\nfinally:\n    while True: pass",
    "def f(n):\n    return 0 if n > 40 else f(n + 1) + f(n + 1)\nf(0)",
    "n = [x for x in range(100000) for y in range(100000)]",
    "l = [0]\nany(l.append(x) for x in l)",
    "l = [0]\nlist(map(l.append, l))",
    "l = [0]\nlist(filter(l.append, l))",
]


@pytest.mark.parametrize("source", ENDLESS)
def test_endless_work_is_stopped(source: str) -> None:
    env = SandboxEnvironment(max_steps=20_000, max_seconds=5)
    started = time.monotonic()
    with pytest.raises(WorkLimitExceeded, match="20000 steps"):
        env.execute(source, {})
    assert time.monotonic() - started < 5
    assert_still_works(env)


def test_time_budget_stops_code_within_the_limit() -> None:
    env = SandboxEnvironment(max_steps=10**12, max_seconds=0.2)
    started = time.monotonic()
    with pytest.raises(WorkLimitExceeded, match="longer than 0.2 seconds"):
        env.execute("try:\n    while True: pass\nexcept Exception:\n    pass", {})
    assert time.monotonic() - started < 1.0


def test_expression_loops_are_bounded_too() -> None:
    env = SandboxEnvironment(max_steps=1_000)
    with pytest.raises(WorkLimitExceeded):
        env.evaluate("sum(1 for a in range(100) for b in range(100))", {})
    assert env.evaluate("sum(a for a in range(10))", {}) == 45


def test_work_limit_wraps_in_spiff_exception() -> None:
    engine = make_script_engine(max_steps=100)
    workflow = _workflow("while True:\n    pass", engine)
    with pytest.raises(WorkflowTaskException, match="steps of work"):
        workflow.do_engine_steps()


@pytest.mark.parametrize(
    "source",
    [
        "'a' * 10**10",
        "[0] * 10**10",
        "2 ** 10**9",
        "pow(2, 10**9)",
        "1 << 10**9",
        "10**50000 * 10**50000",
        "'x'.ljust(10**9)",
        "'%1000000000d' % 1",
        "', '.join(['a' * 1000] * 2000)",
        "now().strftime('%1000000000Y')",
        "sum([[1]], [])",
    ],
)
def test_one_line_blow_ups_are_refused(env: SandboxEnvironment, source: str) -> None:
    with pytest.raises(SandboxError):
        env.evaluate(source, {})
    assert_still_works(env)


def test_huge_range_is_refused(env: SandboxEnvironment) -> None:
    with pytest.raises(ResultTooLarge, match="range"):
        env.evaluate("list(range(10**12))", {})
    assert env.evaluate("len(range(100_000))", {}) == 100_000


def test_doubling_is_stopped_at_the_size_limit(env: SandboxEnvironment) -> None:
    for source in (
        "s = 'ab'\nfor i in range(40):\n    s = s + s",
        "s = 'ab'\nfor i in range(40):\n    s += s",
        "s = 'ab'\nfor i in range(40):\n    s = f'{s}{s}'",
        "s = [1]\nfor i in range(40):\n    s.extend(s)",
        "s = 'ab'\nfor i in range(40):\n    s = s.replace('a', 'aa')",
    ):
        with pytest.raises(ResultTooLarge):
            env.execute(source, {})


# --- data semantics -----------------------------------------------------------


def test_script_assignments_become_task_data(env: SandboxEnvironment) -> None:
    data = {"risk": "high", "case": {"victims": 1}}
    env.execute(
        "score = 10 if risk == 'high' else 1\n"
        "case['victims'] += 1\n"
        "def double(v):\n    return v * 2\n"
        "doubled = double(score)\n"
        "total = 0\n"
        "for n in range(4):\n    total += n\n"
        "first, *rest = [1, 2, 3]\n"
        "due = add_working_days('2026-01-09T10:00:00Z', 1)\n",
        data,
    )
    assert data == {
        "risk": "high",
        "case": {"victims": 2},
        "score": 10,
        "doubled": 20,
        "total": 6,
        "n": 3,
        "first": 1,
        "rest": [2, 3],
        "due": "2026-01-12T10:00:00+00:00",
    }


def test_helpers_and_guards_do_not_leak_into_data(env: SandboxEnvironment) -> None:
    data: dict = {}
    env.execute("x = 1", data)
    assert data == {"x": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("y = 2\nz = 1 / 0", data)
    assert data == {"x": 1, "y": 2}


def test_data_shadowing_a_helper_is_refused(env: SandboxEnvironment) -> None:
    with pytest.raises(SandboxError, match="now"):
        env.execute("x = 1", {"now": "yesterday"})
    with pytest.raises(SandboxError, match="_getattr_"):
        env.execute("x = 1", {"_getattr_": 1})


def test_data_cannot_replace_guards_in_expressions(env: SandboxEnvironment) -> None:
    assert env.evaluate("d.get('a')", {"d": {"a": 1}, "_getattr_": None}) == 1


def test_evaluate_a_condition_with_data(env: SandboxEnvironment) -> None:
    data = {"risk": "high", "incidents": 3, "received": "2026-12-24T10:00:00+00:00"}
    assert env.evaluate("risk == 'high' and incidents >= 3", data)
    assert not env.evaluate("  risk == 'low'\n", data)  # blanks from XML are fine
    assert env.evaluate("is_working_day(received)", data)
    assert env.evaluate("extra + incidents", data, {"extra": 1}) == 4
    assert data == {"risk": "high", "incidents": 3, "received": "2026-12-24T10:00:00+00:00"}


# Every method that changes a list, dictionary, set or bytearray in place.
CHANGING_METHODS = [
    *(("items", name) for name in ("append", "clear", "extend", "insert", "pop", "remove")),
    *(("items", name) for name in ("reverse", "sort")),
    *(("record", name) for name in ("clear", "pop", "popitem", "setdefault", "update")),
    *(("flags", name) for name in ("add", "clear", "difference_update", "discard", "pop")),
    *(("flags", name) for name in ("intersection_update", "remove", "update")),
    ("flags", "symmetric_difference_update"),
    *(("raw", name) for name in ("append", "clear", "extend", "insert", "pop", "remove")),
    ("raw", "reverse"),
]


def _case_data() -> dict:
    return {"items": [3, 1], "record": {"a": 1}, "flags": {"x"}, "raw": bytearray(b"ab")}


@pytest.mark.parametrize(("variable", "method"), CHANGING_METHODS)
def test_an_expression_cannot_reach_a_method_that_changes_data(
    env: SandboxEnvironment, variable: str, method: str
) -> None:
    with pytest.raises(SandboxError, match=f"cannot change it \\('{method}' changes a"):
        env.evaluate(f"{variable}.{method}", _case_data())


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("items.append(1) or True", "'append' changes a list"),
        ("record.update(b=2)", "'update' changes a dictionary"),
        ("flags.add('y')", "'add' changes a set"),
        ("list.append(items, 1)", "'append' changes a list"),
        ("dict.setdefault(record, 'b', 2)", "'setdefault' changes a dictionary"),
        ("any(map(items.append, [1]))", "'append' changes a list"),
        ("(lambda: record.pop('a'))()", "'pop' changes a dictionary"),
        ("[0 for record['b'] in [2]]", "wrote into a dictionary"),
        ("[0 for items[0] in [2]]", "wrote into a list"),
    ],
)
def test_an_expression_cannot_change_case_data(
    env: SandboxEnvironment, expression: str, reason: str
) -> None:
    data = _case_data()
    with pytest.raises(SandboxError, match="conditions and expressions read case data") as caught:
        env.evaluate(expression, data)
    assert reason in str(caught.value)
    assert data == _case_data()
    assert_still_works(env)


def test_an_expression_may_still_read_and_build_values(env: SandboxEnvironment) -> None:
    data = _case_data()
    assert env.evaluate(
        "items.copy() + sorted(items) + [items.count(1), items.index(1)]"
        " + list(record.keys()) + [record.get('a')] + sorted(flags.union({'y'}))"
        " + list(dict.fromkeys(items))",
        data,
    ) == [3, 1, 1, 3, 1, 1, "a", 1, "x", "y", 3, 1]
    assert data == _case_data()


def test_scripts_may_still_change_case_data(env: SandboxEnvironment) -> None:
    data = _case_data()
    env.execute(
        "items.append(4)\nitems.sort()\nrecord.update(b=2)\nflags.add('y')\n"
        "list.append(items, 5)\nignored = [0 for record['c'] in [3]]",
        data,
    )
    assert data["items"] == [1, 3, 4, 5]
    assert data["record"] == {"a": 1, "b": 2, "c": 3}
    assert data["flags"] == {"x", "y"}


def test_compiled_code_is_cached() -> None:
    assert compile_expression("a == 1") is compile_expression("a == 1")


def test_budgets_are_per_thread() -> None:
    env = SandboxEnvironment(max_steps=50_000)
    results: list[object] = []

    def run(source: str) -> None:
        try:
            results.append(env.evaluate(source, {}))
        except SandboxError as error:
            results.append(type(error))

    threads = [
        threading.Thread(target=run, args=("sum(x for x in range(30000))",)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [449985000] * 4


# --- date helpers ---------------------------------------------------------------


def test_working_days_skip_weekends() -> None:
    friday = "2026-01-09T10:00:00+00:00"
    assert df.add_working_days(friday, 1) == "2026-01-12T10:00:00+00:00"
    assert df.add_working_days("2026-01-12", -1) == "2026-01-09"
    assert df.working_days_between(friday, "2026-01-12T09:00:00Z") == 1


def test_working_days_skip_england_and_wales_bank_holidays() -> None:
    # 25 Dec 2026 is a Friday; Boxing Day (Sat) is observed on Monday 28 Dec.
    assert df.add_working_days("2026-12-24T10:00:00+00:00", 1) == "2026-12-29T10:00:00+00:00"
    assert not df.is_working_day("2026-12-25")
    assert not df.is_working_day("2026-12-28")
    assert df.is_working_day("2026-12-29T10:00:00Z")
    assert df.working_days_between("2026-12-24", "2026-12-29") == 1
    assert df.days_between("2026-12-24", "2026-12-29") == 5


def test_calendar_days_use_london_dates() -> None:
    # 23:30 UTC on 31 May is already 1 June in London (BST).
    assert df.days_between("2026-05-31T23:30:00Z", "2026-06-01T12:00:00Z") == 0
    # A calendar day across the spring clock change keeps London wall time.
    assert df.add_days("2026-03-28T10:00:00Z", 1) == "2026-03-29T09:00:00+00:00"
    assert df.add_hours("2026-03-28T10:00:00Z", 24) == "2026-03-29T10:00:00+00:00"
    assert df.add_minutes("2026-01-01T10:00:00+01:00", 30) == "2026-01-01T09:30:00+00:00"
    assert df.add_months("2026-01-31T12:00:00Z", 1) == "2026-02-28T12:00:00+00:00"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        df.parse_datetime("2026-01-01T10:00:00")
    with pytest.raises(ValueError, match="no time zone"):
        df.add_days(datetime(2026, 1, 1, 10), 1)


def test_now_and_today_can_be_frozen() -> None:
    with time_machine.travel(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        assert df.now() == datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
        assert df.today() == "2026-07-01"  # London is on BST
        env = SandboxEnvironment()
        assert env.evaluate("isoformat(now())", {}) == "2026-06-30T23:30:00+00:00"


def test_duration_for_timers() -> None:
    assert df.duration(minutes=30) == "PT30M"
    assert df.duration(weeks=1, days=1, hours=2) == "P8DT2H"
    assert df.duration() == "PT0S"
    with pytest.raises(ValueError):
        df.duration(hours=-1)


# --- a real SpiffWorkflow run ---------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="triage" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute" name="Compute">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gateway">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_high</bpmn:outgoing><bpmn:outgoing>to_low</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="high"><bpmn:incoming>to_high</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="low"><bpmn:incoming>to_low</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="gateway"/>
    <bpmn:sequenceFlow id="to_high" sourceRef="gateway" targetRef="high">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_low" sourceRef="gateway" targetRef="low">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x != 2</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""


def _workflow(script: str, engine=None, condition: str = "x == 2") -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.format(script=script, condition=condition).encode())
    spec = parser.get_spec("triage")
    subprocess_specs = parser.get_subprocess_specs("triage")
    return BpmnWorkflow(spec, subprocess_specs, script_engine=engine or make_script_engine())


def _completed(workflow: BpmnWorkflow) -> set[str]:
    return {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}


def test_spiff_workflow_runs_with_the_sandbox() -> None:
    workflow = _workflow("x = 1 + 1")
    workflow.do_engine_steps()
    assert workflow.is_completed()
    completed = _completed(workflow)
    assert "high" in completed and "low" not in completed
    assert workflow.data["x"] == 2


def test_spiff_workflow_takes_the_other_branch() -> None:
    workflow = _workflow("x = 1")
    workflow.do_engine_steps()
    completed = _completed(workflow)
    assert "low" in completed and "high" not in completed


def test_spiff_script_import_is_refused() -> None:
    workflow = _workflow("import os")
    with pytest.raises(WorkflowTaskException, match="import") as caught:
        workflow.do_engine_steps()
    assert "import is not allowed" in str(caught.value)


def test_a_failing_condition_says_why() -> None:
    workflow = _workflow("x = 1", condition="x / 0 == 2")
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    reason = "Error evaluating expression 'x / 0 == 2': division by zero"
    assert str(caught.value).startswith(reason)
    assert caught.value.task.task_spec.name == "gateway"


def _one_task_process(after_task: str) -> Runner:
    """A process of one user task, then ``after_task`` (elements and flows to 'end')."""
    body = user_task("task") + flow("f1", "start", "task") + after_task
    return Runner(
        build_catalog(with_welsh_names({"bpmn/proc.bpmn": simple(body).encode(), **form_files()}))
    )


def test_a_gateway_condition_that_changes_the_case_stops_and_leaves_it_as_it_was() -> None:
    runner = _one_task_process(
        '<bpmn:exclusiveGateway id="gw"/><bpmn:endEvent id="other"/>'
        + flow("f2", "task", "gw")
        + flow("f3", "gw", "end", "items.append(3) or True")
        + flow("f4", "gw", "other", "not items")
    )
    started = runner.start("proc", {"items": [1, 2]})
    [task] = started.open_tasks

    with pytest.raises(DiagramError) as failed:
        runner.complete("proc", started.state, task.id, {"note": "checked"})

    assert failed.value.element_id == "gw"
    assert (
        "conditions and expressions read case data; they cannot change it "
        "('append' changes a list)" in str(failed.value)
    )
    data, _, _ = runner.task_view("proc", started.state, task.id)
    assert data["items"] == [1, 2]


def _loop_process(sequential: bool, cardinality: str, engine=None) -> Runner:
    """A user task, then a script task run ``cardinality`` times as a multi-instance loop."""
    loop = (
        f'<bpmn:scriptTask id="many" name="many"><bpmn:multiInstanceLoopCharacteristics '
        f'isSequential="{str(sequential).lower()}"><bpmn:loopCardinality>{cardinality}'
        "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
        "<bpmn:script>done = True</bpmn:script></bpmn:scriptTask>"
    )
    body = (
        user_task("task")
        + loop
        + flow("f1", "start", "task")
        + flow("f2", "task", "many")
        + flow("f3", "many", "end")
    )
    catalog = build_catalog(
        with_welsh_names({"bpmn/proc.bpmn": simple(body).encode(), **form_files()})
    )
    return Runner(catalog, script_engine=engine)


def _complete_the_task(runner: Runner, data: dict | None = None):
    started = runner.start("proc", data or {})
    [task] = started.open_tasks
    return runner.complete("proc", started.state, task.id, {"note": "go"})


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_loop_that_could_never_finish_is_refused_before_it_starts(sequential: bool) -> None:
    runner = _loop_process(sequential, "10**9")
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(DiagramError) as failed:
            _complete_the_task(runner)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 20_000_000
    assert failed.value.element_id == "many"
    assert "the loop would run 1000000000 times; the limit is 10000 instances per loop" in str(
        failed.value
    )
    assert isinstance(failed.value.__cause__.__cause__, WorkLimitExceeded)


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_loop_runs_up_to_the_limit_and_no_further(sequential: bool) -> None:
    runner = _loop_process(sequential, "n", make_script_engine(max_instances=3))
    assert _complete_the_task(runner, {"n": 3}).completed
    with pytest.raises(DiagramError, match="would run 4 times; the limit is 3 instances"):
        _complete_the_task(runner, {"n": 4})


@pytest.mark.parametrize("count", [-1, "3", 2.5, True, None])
def test_a_loop_count_must_be_a_whole_number(count: object) -> None:
    runner = _loop_process(False, "n")
    with pytest.raises(DiagramError, match="must be a whole number of 0 or more, not "):
        _complete_the_task(runner, {"n": count})


# --- instructions (Jinja) -------------------------------------------------------


def test_instructions_render() -> None:
    text = render_instructions(
        "Contact {{ victim.name }} by {{ add_working_days(received, 1) }}.{{ nothing }}"
        "{% for step in steps %}\n- {{ step|upper }}{% endfor %}",
        {"victim": {"name": "Ms Hughes"}, "received": "2026-12-24", "steps": ["a", "b"]},
    )
    assert text == "Contact Ms Hughes by 29 December 2026.\n- A\n- B"
    assert render_instructions("{{ missing.deeper }}x", {}) == "x"
    assert render_instructions("<b>{{ v }}</b>", {"v": "<i>"}) == "<b><i></b>"
    # A time the case does not hold yet shows empty, like any other missing field.
    assert render_instructions("by {{ due | london }}.", {}) == "by ."
    assert render_instructions("{{ at | london }}", {"at": "2026-07-01T08:00:00Z"}) == (
        "1 July 2026, 09:00"
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__ }}",
        "{{ ''['__class__'] }}",
        "{{ x.__class__.__mro__ }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{{ 'a' * 10**10 }}",
        "{{ 'x'.ljust(10**9) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
    ],
)
def test_instructions_refuse_unsafe_templates(template: str) -> None:
    tracer = sys.gettrace()
    with pytest.raises(SandboxError):
        render_instructions(template, {"x": 1})
    assert sys.gettrace() is tracer
    assert render_instructions("ok {{ x }}", {"x": 1}) == "ok 1"


def test_check_template() -> None:
    assert check_template("Hello {{ name }}") == []
    problems = check_template("{% for x in %}")
    assert problems and problems[0].startswith("line 1")
    assert check_template("{{ x|center(5) }}")  # filter removed
    with pytest.raises(SandboxError, match="cannot be shown"):
        render_instructions("{% if %}", {})
