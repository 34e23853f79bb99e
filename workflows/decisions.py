"""Decisions the engine takes by itself, for the case's history: which way a gateway went and
what a decision table answered. Collected as the engine completes each task."""

from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin


class DecisionLog:
    """Pass as ``did_complete_task`` to ``do_engine_steps``; read ``events`` afterwards."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, task) -> None:
        spec = task.task_spec
        if isinstance(spec, ExclusiveGateway | InclusiveGateway):
            self.events.append(
                {
                    "type": "decision_taken",
                    "kind": "gateway",
                    "bpmn_id": spec.name,
                    "name": spec.bpmn_name,
                    "taken": [child.task_spec.name for child in task.children],
                }
            )
        elif isinstance(spec, BusinessRuleTaskMixin):
            table = spec.dmnEngine.decision_table
            self.events.append(
                {
                    "type": "decision_taken",
                    "kind": "decision_table",
                    "bpmn_id": spec.name,
                    "name": spec.bpmn_name,
                    "decision": table.id,
                    "result": {out.name: task.data.get(out.name) for out in table.outputs},
                }
            )
