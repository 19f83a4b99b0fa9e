"""Three-valued evaluation of a gateway condition against the decisions taken so far.

The simulation knows only what the steps decided (``decision``, ``<task id>_decision``); any
other name (``hours``, ``senior``, ``same_unit``) is data it cannot know. A condition is then
definitely true, definitely false, or unknown. A sub-expression that names only known values is
evaluated in the sandbox (the engine's own evaluator); ``and``, ``or`` and ``not`` combine the
three values (Kleene's logic), so ``decision == "approve" and hours > 40`` is false as soon as
the decision is not an approval. A condition that reads a decision no step has written yet
fails in the engine (the name is undefined there): ``Unset`` says which.
"""
from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from enum import Enum
from functools import lru_cache

from .sandbox import ALLOWED_FUNCTIONS, evaluate_expression


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


class Unset(Exception):
    """The condition reads a decision key that no step has written on this path."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


_KNOWN_NAMES = frozenset(ALLOWED_FUNCTIONS) | {"None", "True", "False"}


def _truth(value: bool) -> Truth:
    return Truth.TRUE if value else Truth.FALSE


@lru_cache(maxsize=1024)
def _parse(condition: str) -> ast.Expression | None:
    try:
        return ast.parse(condition.strip(), mode="eval")
    except SyntaxError:  # the load-time checks refuse it; here it is simply unknown
        return None


@lru_cache(maxsize=1024)
def _condition_names(condition: str) -> frozenset[str] | None:
    tree = _parse(condition)
    return None if tree is None else frozenset(_names(tree))


@lru_cache(maxsize=16384)
def _judge(condition: str, known: tuple[tuple[str, str], ...]) -> Truth:
    """The value of ``condition`` given the known values of the names it reads (cached: the
    simulation asks the same question in many states)."""
    tree = _parse(condition)
    return Truth.UNKNOWN if tree is None else _value(tree.body, dict(known))


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _value(node: ast.expr, env: Mapping[str, str]) -> Truth:
    if _names(node) <= (_KNOWN_NAMES | set(env)):
        try:
            return _truth(bool(evaluate_expression(ast.unparse(node), env)))
        except Exception:  # any failure (a type error…): the simulation cannot tell
            return Truth.UNKNOWN
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _value(node.operand, env)
        return inner if inner is Truth.UNKNOWN else _truth(inner is Truth.FALSE)
    if isinstance(node, ast.BoolOp):
        values = [_value(v, env) for v in node.values]
        stop = Truth.FALSE if isinstance(node.op, ast.And) else Truth.TRUE
        if stop in values:
            return stop
        if Truth.UNKNOWN in values:
            return Truth.UNKNOWN
        return Truth.TRUE if stop is Truth.FALSE else Truth.FALSE  # every operand was the other value
    return Truth.UNKNOWN


def evaluate_condition(condition: str | None, env: Mapping[str, str],
                       decision_keys: Collection[str] = ()) -> Truth:
    """Evaluate ``condition`` given the decisions in ``env``; raise Unset for a decision key
    (one of ``decision_keys``) that the condition reads but ``env`` lacks."""
    if condition is None or not condition.strip():
        return Truth.TRUE
    names = _condition_names(condition)
    if names is None:
        return Truth.UNKNOWN
    for name in sorted(names):
        if name in decision_keys and name not in env:
            raise Unset(name)
    return _judge(condition, tuple(sorted((n, env[n]) for n in names if n in env)))
