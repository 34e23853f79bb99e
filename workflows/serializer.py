"""A case's workflow written to its saved text, and read back.

The saved text is SpiffWorkflow's own (the library's serializer, its format and its version),
with two differences: it leaves out the process spec, which the definition version holds once
for every case, and each loop's finished rounds are written as a count (``workflows.pruning``).

Every command of a case that is not kept in an engine process restores its workflow from this
text and writes it again, so both are on the path of every command. Two of the library's parts
are replaced by ones that read and write the very same text, faster: the converter for a task
(the library copies a task's data from its parent's with a general deep merge, into an empty
dict, where it can only copy; parses each task id three times, as a key, as a parent and as a
child; and writes each task through two layers of general conversion), and the registry's
restoring of values (the library rebuilds every list and dict of the text just parsed). The
text is unchanged to the byte, so states saved before and after read alike and their digests
in the audit log still match; `bench/saved_state.py` times both against the library's.
"""

import json
from copy import copy
from functools import lru_cache
from uuid import UUID

from SpiffWorkflow import __version__ as spiff_version
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import pruning

# A task's id is parsed once for its key, its children's parent and its parent's children.
# Ids are values: the same text is the same id in any case.
_task_id = lru_cache(maxsize=4096)(UUID)
_MUTABLE = (dict, list, set)
# A task completed or cancelled never runs again, and nothing changes its data in place: the
# engine reads a finished task's data (to merge it into the task that runs next) but never
# writes to it, and resetting a branch gives the task a deep copy.
_SETTLED = TaskState.COMPLETED | TaskState.CANCELLED
_PARSED_CONTAINERS = (dict, list)


class _Registry(DefaultRegistry):
    """The library's registry, restoring the values of a text just parsed where they lie.

    The library rebuilds every dict and list of a saved workflow's data as it looks for the
    values it wrote as dicts with a ``typename`` (a date, a UUID); here only those are replaced,
    in the containers ``json.loads`` made, which nothing else holds. The result is the same.
    """

    def restore(self, val, **kwargs):
        kind = type(val)
        if kind is dict and "typename" not in val:
            for key, item in val.items():
                if type(item) in _PARSED_CONTAINERS:
                    restored = self.restore(item, **kwargs)
                    if restored is not item:
                        val[key] = restored
            return val
        if kind is list:
            for index, item in enumerate(val):
                if type(item) in _PARSED_CONTAINERS:
                    restored = self.restore(item, **kwargs)
                    if restored is not item:
                        val[index] = restored
            return val
        return super().restore(val, **kwargs)


class _TaskConverter(TaskConverter):
    """The library's task converter (SpiffWorkflow 3.2), writing and reading the same text.

    A task's data is saved as what it changed from its parent's: the keys it updated and the
    keys it deleted. Restoring gives each task a dict of its own, with its parent's values and,
    for a task that may still run, a shallow copy of each list, dict and set among them, as the
    library's merge does. A finished task under a finished parent shares its parent's values
    (``_SETTLED``): copying them was half of restoring a case, for values nothing changes.
    """

    def to_dict(self, task):
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            mine, theirs = task.data, parent.data
            data = {}
            delta = {
                "updates": {
                    key: value
                    for key, value in mine.items()
                    if key not in theirs or value != theirs[key]
                },
                "deletions": [key for key in theirs if key not in mine],
            }
        return {
            "id": str(task.id),
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct, workflow):
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_task_id(dct["id"]))
        parent_id = dct["parent"]
        task._parent = _task_id(parent_id) if parent_id is not None else None
        task._children = [_task_id(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent = workflow.tasks.get(task._parent)
        if delta and parent is not None:
            if task.state & _SETTLED and parent.state & _SETTLED:
                data = dict(parent.data)
            else:
                data = {
                    key: copy(value) if isinstance(value, _MUTABLE) else value
                    for key, value in parent.data.items()
                }
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", ()):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


def _tasks_from_dict(converter, saved_tasks: dict, workflow) -> dict:
    return {
        _task_id(key): converter.registry.restore(saved, workflow=workflow)
        for key, saved in saved_tasks.items()
    }


class _SubWorkflowConverter(BpmnSubWorkflowConverter):
    """A run of a called process or sub-process, its task ids parsed once."""

    def from_dict(self, dct, task, top_workflow):
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = _tasks_from_dict(self, dct["tasks"], subprocess)
        subprocess.task_tree = subprocess.tasks.get(_task_id(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


class _SharedSpecWorkflowConverter(BpmnWorkflowConverter):
    """Saves a workflow without its spec, and restores it around the spec objects already
    parsed for its definition version.

    The library's converter writes the whole spec into every saved state and rebuilds it on
    every load; the definition version holds the spec once for all its cases instead.
    """

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        for tasks in _saved_task_maps(dct):
            pruning.compact(tasks)
        return dct

    def from_dict(self, dct):
        for tasks in _saved_task_maps(dct):
            pruning.expand(tasks)
        if isinstance(dct.get("spec"), dict):
            return super().from_dict(dct)
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = _tasks_from_dict(self, dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(_task_id(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _saved_task_maps(dct: dict) -> list[dict]:
    """The tasks of a saved workflow and of each run of a process it holds, as dicts."""
    return [dct["tasks"], *(run["tasks"] for run in dct.get("subprocesses", {}).values())]


SERIALIZER = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure(
        {
            **SPIFF_CONFIG,
            BpmnWorkflow: _SharedSpecWorkflowConverter,
            BpmnSubWorkflow: _SubWorkflowConverter,
            Task: _TaskConverter,
        },
        _Registry(),
    )
)
SERIALIZER_VERSION = SERIALIZER.VERSION
LIBRARY_VERSION = spiff_version


def save(workflow: BpmnWorkflow) -> str:
    """The workflow's saved text."""
    state = SERIALIZER.to_dict(workflow)
    state["serializer_version"] = SERIALIZER_VERSION
    return json.dumps(state, separators=(",", ":"))
