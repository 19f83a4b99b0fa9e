"""The expression sandbox.

SpiffWorkflow evaluates gateway conditions, timer expressions, service-task
parameters and message payloads with plain ``eval``. Diagrams are uploaded by
process administrators, so every expression goes through three fences here:

1. an AST whitelist: an expression language of literals, names, comparisons,
   boolean logic, arithmetic (no ``**`` or shifts), conditional expressions,
   subscripts and calls to a handful of functions and read-only methods; no
   lambdas, comprehensions, walrus, f-strings or starred arguments;
2. RestrictedPython's compiler (``compile_restricted_eval``), which refuses
   names and attributes starting with ``_`` and rewrites attribute and item
   access into guarded calls;
3. guarded runtime globals: a tiny builtins dict, ``safer_getattr`` plus a
   method whitelist, an item guard that only indexes plain containers, and a
   multiplication guard that refuses huge sequences.

Scripts (script tasks, pre/post scripts) are refused outright: this product
has no place for them, and side effects go through registered service tasks.
"""
from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval
from RestrictedPython.Guards import safer_getattr
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import SandboxViolation, ServiceTaskError

MAX_EXPRESSION_LENGTH = 2000
MAX_SEQUENCE_PRODUCT = 10_000
MAX_INT_BITS = 256

ALLOWED_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs, "all": all, "any": any, "bool": bool, "float": float, "int": int,
    "len": len, "max": max, "min": min, "round": round, "str": str, "sum": sum,
}
ALLOWED_METHODS = frozenset({
    "get", "keys", "values", "items", "lower", "upper", "strip", "startswith",
    "endswith", "count", "index", "split", "isdigit",
})
_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult,
    ast.Div, ast.FloorDiv, ast.Mod, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is,
    ast.IsNot, ast.IfExp, ast.Name, ast.Load, ast.Constant, ast.Attribute, ast.Subscript,
    ast.Slice, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Call, ast.keyword,
)
_SUBSCRIPTABLE = (dict, list, tuple, str)


def check_expression_syntax(expression: str) -> None:
    """Raise SandboxViolation unless ``expression`` is in the allowed language."""
    if not isinstance(expression, str) or not expression.strip():
        raise SandboxViolation("empty expression")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise SandboxViolation(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise SandboxViolation(f"syntax error: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise SandboxViolation(f"{type(node).__name__} is not allowed in expressions")
        if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
            raise SandboxViolation("bytes literals are not allowed")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise SandboxViolation(f"name {node.id!r} is not allowed")
        if isinstance(node, ast.Attribute) and node.attr not in ALLOWED_METHODS:
            raise SandboxViolation(f"attribute {node.attr!r} is not allowed")
        if isinstance(node, ast.Call):
            _check_call(node)


def _check_call(node: ast.Call) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in ALLOWED_FUNCTIONS:
            raise SandboxViolation(f"call to {func.id!r} is not allowed")
    elif not isinstance(func, ast.Attribute):
        raise SandboxViolation("only named functions and methods may be called")


class _ExpressionPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus guards on ``*``, ``**`` and ``<<``.

    ``a * b`` becomes ``_mul_(a, b)`` so that ``"x" * 10**9`` is refused at run
    time instead of allocating a gigabyte. ``**`` and ``<<`` are outside the
    expression language anyway; guarding them too keeps ``9 ** 9 ** 9 ** 9``
    from hanging a worker should that first fence ever be bypassed.
    """

    GUARDED_OPS: dict[type[ast.operator], str] = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = self.GUARDED_OPS.get(type(node.op))
        if guard is not None:
            call = ast.Call(func=ast.Name(id=guard, ctx=ast.Load()),
                            args=[node.left, node.right], keywords=[])
            return ast.fix_missing_locations(ast.copy_location(call, node))
        return node


def _guarded_mul(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if (isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                and len(seq) * max(times, 0) > MAX_SEQUENCE_PRODUCT):
            raise SandboxViolation("sequence repetition too large")
    result = left * right
    if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
        raise SandboxViolation("integer result too large")
    return result


def _int_bits(value: Any) -> float:
    return math.log2(abs(value)) if isinstance(value, (int, float)) and value else 0.0


def _guarded_pow(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, (int, float)) and _int_bits(base) * abs(exponent) > MAX_INT_BITS:
        raise SandboxViolation("power too large")
    return base ** exponent


def _guarded_lshift(value: Any, shift: Any) -> Any:
    if isinstance(shift, int) and _int_bits(value) + shift > MAX_INT_BITS:
        raise SandboxViolation("shift too large")
    return value << shift


def _guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    if name not in ALLOWED_METHODS:
        raise SandboxViolation(f"attribute {name!r} is not allowed")
    return safer_getattr(obj, name, default)


def _guarded_getitem(obj: Any, key: Any) -> Any:
    if type(obj) not in _SUBSCRIPTABLE:
        raise SandboxViolation(f"cannot index a {type(obj).__name__}")
    if isinstance(key, slice):
        return obj[key.start:key.stop:key.step]
    return obj[key]


_BUILTINS: dict[str, Any] = {**ALLOWED_FUNCTIONS, "None": None, "True": True, "False": False}
_GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": _guarded_getattr,
    "_getitem_": _guarded_getitem,
    "_mul_": _guarded_mul,
    "_pow_": _guarded_pow,
    "_lshift_": _guarded_lshift,
}


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> Any:
    """Check and compile one expression; cached, since diagrams repeat them."""
    check_expression_syntax(expression)
    result = compile_restricted_eval(expression.strip(), "<expression>", policy=_ExpressionPolicy)
    if result.errors or result.code is None:
        raise SandboxViolation("; ".join(result.errors) or "expression refused")
    return result.code


def evaluate_expression(expression: str, data: Mapping[str, Any]) -> Any:
    """Evaluate ``expression`` against ``data`` inside the sandbox."""
    code = compile_expression(expression)
    scope = {k: v for k, v in data.items() if isinstance(k, str) and not k.startswith("_")}
    scope.update(_GUARDS)
    return eval(code, scope)  # noqa: S307 - code comes from compile_expression only


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that evaluates through the sandbox."""

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        merged = dict(external_context or {})
        merged.update(context)
        return evaluate_expression(expression, merged)

    def execute(self, script: str, context: Any, external_context: Any = None) -> bool:
        raise SandboxViolation("scripts are disabled in this engine")

    def call_service(self, context: Any, **kwargs: Any) -> str:  # pragma: no cover - engine overrides
        raise SandboxViolation("service calls go through the script engine")


ServiceHandler = Callable[[Any, dict[str, Any], dict[str, Any]], Mapping[str, Any] | None]


class SandboxedScriptEngine(PythonScriptEngine):
    """Script engine bound to one host context for the life of a loaded workflow.

    ``services`` maps operation names to handlers ``(host, params, data) -> dict``;
    ``host`` is whatever the caller passed when loading (the app passes a small
    object naming the record and the database session). Nothing else can be
    called from a diagram.
    """

    def __init__(self, services: Mapping[str, ServiceHandler] | None = None, host: Any = None):
        super().__init__(environment=SandboxedEnvironment())
        self.services = dict(services or {})
        self.host = host

    def validate(self, expression: str) -> None:
        compile_expression(expression)

    def call_service(self, task: Any, operation_name: str = "", operation_params: Any = None,
                     **_: Any) -> str:
        handler = self.services.get(operation_name)
        if handler is None:
            raise WorkflowTaskException(f"service operation {operation_name!r} is not registered",
                                        task=task, exception=ServiceTaskError(operation_name))
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        result = handler(self.host, params, dict(task.data))
        return json.dumps(dict(result or {}))
