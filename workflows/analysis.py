"""Checks that read a diagram's paths, and the conventions they check.

A completed step writes its decision twice into the instance data: as ``decision`` and under
the step's own name (``<task id>_decision``, see ``decision_data``). Parallel branches are
merged at a join in the order they finished, so after a join ``decision`` is whichever branch
finished last: one reviewer sends back, the other approves a moment later, and a gateway on
``decision`` sees an approval. Gateways after a join must test the named keys; this module
refuses a diagram that does not, and one whose decisions lead nowhere.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .specs import Flow, ProcessBundle, TaskInfo

DECISION = "decision"
DECISION_SUFFIX = "_decision"
JOINS = frozenset({"parallelGateway", "inclusiveGateway"})


def decision_key(task_spec: str) -> str:
    return task_spec + DECISION_SUFFIX


def decision_data(task_spec: str, decision: str) -> dict[str, str]:
    """What a completed step writes into the instance data."""
    return {DECISION: decision, decision_key(task_spec): decision}


def due_at(period: str, start: datetime) -> datetime:
    """``start`` plus an ISO 8601 period, with calendar months and years (as the engine's timers)."""
    parsed = TimerEventDefinition.parse_iso_duration(period)
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def compared_values(condition: str | None) -> dict[str, set[str]]:
    """Names compared with string constants in ``condition`` (``decision == "approve"``, ``x in ("a", "b")``)."""
    found: dict[str, set[str]] = {}
    if not condition:
        return found
    try:
        tree = ast.parse(condition.strip(), mode="eval")
    except SyntaxError:  # the sandbox check reports it
        return found
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for left, right in zip(operands, operands[1:], strict=False):
            for name, other in ((left, right), (right, left)):
                if isinstance(name, ast.Name):
                    values = _strings(other)
                    if values:
                        found.setdefault(name.id, set()).update(values)
    return found


def _branches(bundle: ProcessBundle, task: TaskInfo) -> tuple[list[Flow], str | None] | None:
    """The flows that choose between the task's decisions, and the default among them.

    None when the step has a single plain way out (every decision goes the same way).
    """
    graph = bundle.graph
    out = graph.outgoing(task.spec)
    if len(out) == 1:
        target = out[0].target
        if graph.kinds.get(target) != "exclusiveGateway":
            return None
        after = graph.outgoing(target)
        if len(after) == 1 and after[0].condition is None:  # a merge, not a choice
            return None
        return after, graph.defaults.get(target)
    return out, graph.defaults.get(task.spec)


def _task_problems(bundle: ProcessBundle, task: TaskInfo) -> Iterator[str]:
    if not task.decisions:
        return
    if not bundle.graph.outgoing(task.spec):
        yield f"{task.spec}: the step offers decisions but has no outgoing flow"
        return
    branches = _branches(bundle, task)
    if branches is None:
        return
    flows, default = branches
    names = {DECISION, decision_key(task.spec)}
    tested: set[str] = set()
    for flow in flows:
        for name, values in compared_values(flow.condition).items():
            if name not in names:
                continue
            tested |= values
            for value in sorted(values - set(task.decisions)):
                yield (f"{flow.id}: tests decision {value!r}, which {task.spec} does not offer "
                       f"(it offers {', '.join(task.decisions)})")
    missing = [d for d in task.decisions if d not in tested]
    if missing and default is None:
        yield (f"{task.spec}: decision(s) {', '.join(missing)} lead nowhere (no flow tests them and "
               "there is no default flow)")


def _named_key_problems(bundle: ProcessBundle) -> Iterator[str]:
    """``<task>_decision`` must name a user task and compare with decisions that task offers."""
    tasks = {t.spec: t for t in bundle.user_tasks()}
    for flow in bundle.graph.flows:
        for name, values in compared_values(flow.condition).items():
            if not name.endswith(DECISION_SUFFIX) or name == DECISION:
                continue
            spec = name[: -len(DECISION_SUFFIX)]
            task = tasks.get(spec)
            if task is None:
                yield f"{flow.id}: {name} names no user task of this diagram"
                continue
            for value in sorted(values - set(task.decisions)):
                yield f"{flow.id}: tests {name} == {value!r}, which {spec} does not offer"


def _after_join(bundle: ProcessBundle, element: str) -> str | None:
    graph = bundle.graph
    for flow in graph.incoming(element):
        if graph.kinds.get(flow.source) in JOINS and len(graph.incoming(flow.source)) > 1:
            return flow.source
    return None


def _join_problems(bundle: ProcessBundle) -> Iterator[str]:
    graph = bundle.graph
    for flow in graph.flows:
        if DECISION not in compared_values(flow.condition):
            continue
        join = _after_join(bundle, flow.source)
        if join is not None:
            yield (f"{flow.id}: after the join {join}, `decision` is whichever branch finished last; "
                   f"test each step's own <task id>{DECISION_SUFFIX} instead")


def decision_problems(bundle: ProcessBundle) -> list[str]:
    """Every way a step's decisions and the flows that test them disagree."""
    problems: list[str] = []
    for task in bundle.user_tasks():
        problems.extend(_task_problems(bundle, task))
    problems.extend(_named_key_problems(bundle))
    problems.extend(_join_problems(bundle))
    return list(dict.fromkeys(problems))

