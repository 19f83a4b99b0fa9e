"""The expression sandbox: what diagrams may compute, and what they may not."""
from __future__ import annotations

import pytest

from workflows import SandboxViolation, evaluate_expression
from workflows.sandbox import compile_expression

DATA = {
    "decision": "approve", "hours": 12, "route": "exam", "items": [1, 2, 3],
    "info": {"level": "city", "rank": 2}, "days": 3, "_secret": "hidden",
}


@pytest.mark.parametrize("expression, expected", [
    ('decision == "approve"', True),
    ('hours > 10 and route in ["exam", "training"]', True),
    ("len(items) >= 2", True),
    ('info.get("rank", 9) + 1', 3),
    ('info["level"].upper()', "CITY"),
    ("min(hours, 36) - max(items)", 9),
    ('"P" + str(days) + "D"', "P3D"),
    ('"yes" if hours % 2 == 0 else "no"', "yes"),
    ("items[1:]", [2, 3]),
    ("sum(items) * 2", 12),
    ("not (hours < 5 or days is None)", True),
    ('"PT1S"', "PT1S"),
])
def test_allowed_expressions(expression, expected):
    assert evaluate_expression(expression, DATA) == expected


ESCAPES = [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__base__.__subclasses__()",
    "[].__class__.__mro__[1].__subclasses__()",
    "getattr(items, '__class__')",
    "eval('1+1')",
    "exec('x = 1')",
    "open('/etc/passwd').read()",
    "globals()",
    "vars()",
    "type(items)",
    "lambda: 1",
    "[x for x in items]",
    "(y := 1)",
    "f'{decision}'",
    "'{0.__class__}'.format(items)",
    "decision.format_map(info)",
    "2 ** 100",
    "1 << 100",
    "items.mro()",
    "print(*items)",
    "b'bytes'",
    "__builtins__",
    "_secret",
    "info.__getitem__('level')",
    "compile('1', 'x', 'eval')",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_escapes_are_refused_before_running(expression):
    with pytest.raises(SandboxViolation):
        compile_expression(expression)


@pytest.mark.parametrize("expression", [
    "'a' * 100000",
    "[0] * 20000",
    "99999999999999999999999999999999999999 * 99999999999999999999999999999999999999 * "
    "99999999999999999999999999999999999999",
])
def test_resource_bombs_are_refused_at_run_time(expression):
    with pytest.raises(SandboxViolation):
        evaluate_expression(expression, DATA)


def test_only_plain_containers_can_be_indexed():
    class Sneaky(dict):
        pass

    with pytest.raises(SandboxViolation):
        evaluate_expression('x["k"]', {"x": Sneaky(k=1)})


def test_private_data_keys_are_invisible():
    with pytest.raises(SandboxViolation):
        evaluate_expression("_secret", DATA)
    with pytest.raises(NameError):
        evaluate_expression("secret", {"_secret": 1})


def test_overlong_expression_is_refused():
    with pytest.raises(SandboxViolation):
        compile_expression("1 + " * 1000 + "1")
