"""Two saved states of a case compared as the engine would restore them: the same tree of tasks,
with the same specs, states, data and engine notes, whatever their random task ids and the
wall-clock times at which their tasks last changed.

Replay compares the state a checkpoint saved with the state it rebuilds this way, reading the
texts rather than restoring either workflow: restoring a long case costs more than the command
that made it.
"""

import json

# Per task: its own id and its links (paired, not compared), and a wall-clock time.
_NOT_COMPARED = {"id", "parent", "children", "last_state_change"}
# Per workflow: its tasks and root (paired), and its runs of called processes (paired by task).
_NOT_COMPARED_IN_WORKFLOW = {"tasks", "root", "subprocesses"}


def first_difference(recorded: str, replayed: str) -> tuple[str | None, dict[str, str]]:
    """Where ``replayed`` first differs from ``recorded`` (None when it does not), and each
    replayed task id with the recorded task it stands for."""
    mine, theirs = json.loads(replayed), json.loads(recorded)
    twins: dict[str, str] = {}  # replayed task id -> recorded task id
    runs_mine, runs_theirs = mine.get("subprocesses") or {}, theirs.get("subprocesses") or {}
    workflows = [(mine, theirs, "the case")]
    difference = _pair(mine, theirs, twins, "the case")
    # A called process's run is found by the task that called it, itself in a run already
    # paired: pair them outward from the case.
    waiting = dict(runs_mine)
    while difference is None and waiting:
        ready = [task_id for task_id in waiting if task_id in twins]
        if not ready:
            return f"runs of called processes {sorted(waiting)} belong to no task", twins
        for task_id in ready:
            run = waiting.pop(task_id)
            twin = runs_theirs.get(twins[task_id])
            where = f"the run of '{run.get('spec')}'"
            if twin is None:
                return f"{where} was not recorded", twins
            workflows.append((run, twin, where))
            difference = difference or _pair(run, twin, twins, where)
    if difference is None and len(runs_mine) != len(runs_theirs):
        difference = f"it holds {len(runs_mine)} runs of called processes, not {len(runs_theirs)}"
    for run, twin, where in workflows:
        if difference is not None:
            break
        difference = _compare_workflow(run, twin, twins, where)
    return difference, twins


def _pair(mine: dict, theirs: dict, twins: dict[str, str], where: str) -> str | None:
    """Pair two task trees from their roots, child by child."""
    tasks_mine, tasks_theirs = mine["tasks"], theirs["tasks"]
    if len(tasks_mine) != len(tasks_theirs):
        return f"{where} has {len(tasks_mine)} tasks, not {len(tasks_theirs)}"
    stack = [(mine["root"], theirs["root"])]
    while stack:
        task_id, twin_id = stack.pop()
        task, twin = tasks_mine.get(task_id), tasks_theirs.get(twin_id)
        if task is None or twin is None:
            return f"{where} names a task it does not hold"
        twins[task_id] = twin_id
        if len(task["children"]) != len(twin["children"]):
            return f"task '{twin['task_spec']}' of {where} has other children"
        stack.extend(zip(task["children"], twin["children"], strict=True))
    return None


def _compare_workflow(mine: dict, theirs: dict, twins: dict[str, str], where: str) -> str | None:
    for key in (set(mine) | set(theirs)) - _NOT_COMPARED_IN_WORKFLOW:
        if not _same(mine.get(key), theirs.get(key), twins):
            return f"{where} differs in its {key}"
    tasks_theirs = theirs["tasks"]
    for task_id, task in mine["tasks"].items():
        twin = tasks_theirs[twins[task_id]]
        if task.keys() != twin.keys():
            return f"task '{twin['task_spec']}' of {where} is saved otherwise"
        for key, value in task.items():
            twin_value = twin[key]
            if value == twin_value or key in _NOT_COMPARED:
                continue
            if key == "delta":
                value, twin_value = _delta(value), _delta(twin_value)
            if not _same(value, twin_value, twins):
                return f"task '{twin['task_spec']}' of {where} differs in its {key}"
    return None


def _delta(delta):
    """A task's data as a change to its parent's: the names it deletes are a set, listed in
    the order its parent's data held them (replay starts a case from its recorded data, whose
    names are sorted)."""
    if isinstance(delta, dict) and isinstance(delta.get("deletions"), list):
        return {**delta, "deletions": sorted(delta["deletions"], key=str)}
    return delta


def _same(mine, theirs, twins: dict[str, str]) -> bool:
    """Equal, once the replayed task ids in ``mine`` are read as their recorded twins."""
    return mine == theirs or _as_recorded(mine, twins) == theirs


def _as_recorded(value, twins: dict[str, str]):
    if isinstance(value, str):
        return twins.get(value, value)
    if isinstance(value, list):
        return [_as_recorded(item, twins) for item in value]
    if isinstance(value, dict):
        return {twins.get(k, k): _as_recorded(v, twins) for k, v in value.items()}
    return value
