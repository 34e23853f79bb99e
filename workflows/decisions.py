"""Decisions the engine takes by itself, for the case's history: which way a gateway went and
what a decision table answered. Collected as the engine completes each task."""

from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin

# A table's matched rules wait here only until the task completes, a moment later.
_KEEP_UNTAKEN = 64


class RuleRecordingEngine(DMNEngine):
    """A decision table's engine that remembers which rules matched for each task it decided,
    until the history takes them (``matched_rules``)."""

    def __init__(self, decision_table) -> None:
        super().__init__(decision_table)
        self.matched: dict = {}

    def decide(self, task):
        rules = super().decide(task)
        self.matched[task.id] = [rule.id for rule in rules]
        if len(self.matched) > _KEEP_UNTAKEN:  # decided where no history listens (a start)
            del self.matched[next(iter(self.matched))]
        return rules

    def matched_rules(self, task) -> list[str] | None:
        return self.matched.pop(task.id, None)


def record_matched_rules(spec) -> None:
    """Have every decision table of a parsed process remember the rules that matched."""
    for task_spec in spec.task_specs.values():
        engine = getattr(task_spec, "dmnEngine", None)
        if isinstance(task_spec, BusinessRuleTaskMixin) and not isinstance(
            engine, RuleRecordingEngine
        ):
            task_spec.dmnEngine = RuleRecordingEngine(engine.decision_table)


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
            event = {
                "type": "decision_taken",
                "kind": "decision_table",
                "bpmn_id": spec.name,
                "name": spec.bpmn_name,
                "decision": table.id,
                "result": {out.name: task.data.get(out.name) for out in table.outputs},
            }
            recorded = getattr(spec.dmnEngine, "matched_rules", None)
            rules = recorded(task) if recorded else None
            if rules is not None:
                event["rules"] = rules
            self.events.append(event)
