"""A corpus of known Python sandbox escapes, tried wherever a diagram can carry text.

Every one is refused when a diagram is loaded (gateway condition, timer
expression, task property), and none runs when the load check is bypassed:
the engine evaluates through the same sandbox, and RestrictedPython with the
runtime guards holds on its own too.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from RestrictedPython import compile_restricted_eval
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from tests.support.diagrams import gateway_diagram, task_with, timer_diagram
from workflows import DiagramError, Engine, ProcessBundle, SandboxViolation, parse_bundle
from workflows.sandbox import _GUARDS, _ExpressionPolicy
from workflows.specs import _task_index

MARK = "{marker}"  # replaced by a per-test file that must never appear

CORPUS = [
    f"__import__('os').system('touch {MARK}')",
    "().__class__.__base__.__subclasses__()",
    "().__class__.__bases__[0].__subclasses__()[59].__init__.__globals__['sys']",
    "[].__class__.__mro__[-1].__subclasses__()",
    "{}.__class__.__base__.__subclasses__()",
    "''.__class__.__mro__[1].__subclasses__()",
    "(lambda: 0).__globals__['__builtins__']['__import__']('os')",
    "(lambda: 0).__code__.co_consts",
    "getattr(__builtins__, 'eval')('1')",
    f"eval(\"__import__('os').system('touch {MARK}')\")",
    "exec('import os')",
    "compile('import os', 'x', 'exec')",
    "open('/etc/passwd').read()",
    "globals()['__builtins__']",
    "vars(__builtins__)",
    "type('X', (), {})",
    "'{0.__class__.__mro__}'.format(())",
    "f'{().__class__}'",
    "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0](['id'])",
    "(x := __import__('os'))",
    "__builtins__.__dict__['__import__']('os')",
    "breakpoint()",
    "().__reduce_ex__(2)",
    f"os.system('touch {MARK}')",
    "sys.modules['os']",
    "'a'.join.__self__",
    "9 ** 9 ** 9 ** 9",
    "'x' * 10 ** 10",
    "getattr(getattr, '__self__')",
    "[].__class__.__base__.__subclasses__.__call__()",
]
STATEMENTS = ["import os", "del decision", "x = 1", "raise SystemExit"]  # not even expressions


def _expr(template: str, marker: Path) -> str:
    return template.replace(MARK, str(marker))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    path = tmp_path / "escaped"
    yield path
    assert not path.exists(), "an escape ran"


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 20


@pytest.mark.parametrize("template", CORPUS + STATEMENTS)
def test_refused_in_a_gateway_condition(template, marker):
    with pytest.raises(DiagramError) as caught:
        parse_bundle(gateway_diagram(_expr(template, marker)))
    assert any(p.startswith("f3:") for p in caught.value.problems)


@pytest.mark.parametrize("template", CORPUS + STATEMENTS)
def test_refused_in_a_timer_expression(template, marker):
    with pytest.raises(DiagramError) as caught:
        parse_bundle(timer_diagram(_expr(template, marker)))
    assert any(p.startswith("deadline") for p in caught.value.problems)


@pytest.mark.parametrize("name", ["status", "status_label", "decisions", "hours", "action"])
@pytest.mark.parametrize("template", CORPUS)
def test_refused_in_a_task_property(template, name, marker):
    value = _expr(template, marker).replace('"', "&quot;").replace("<", "&lt;")
    extension = (f'<spiffworkflow:properties><spiffworkflow:property name="{name}" value="{value}"/>'
                 "</spiffworkflow:properties>")
    with pytest.raises(DiagramError) as caught:
        parse_bundle(task_with(extension))
    assert any("malformed" in p for p in caught.value.problems)


def _root(error: BaseException) -> BaseException:
    """The error under SpiffWorkflow's wrapping (raised while handling the original)."""
    while True:
        below = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if below is None:
            return error
        error = below


def _unchecked_bundle(content: bytes) -> ProcessBundle:
    """Parse straight through SpiffWorkflow: our load-time check never sees it."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(content)
    spec = parser.get_spec("p")
    return ProcessBundle("unchecked", "p", "p", spec, {}, _task_index(spec, {}, {}), frozenset(), frozenset())


@pytest.mark.parametrize("template", CORPUS + STATEMENTS)
def test_engine_refuses_a_bypassed_gateway_condition(template, marker):
    bundle = _unchecked_bundle(gateway_diagram(_expr(template, marker)))
    loaded = Engine().start(bundle)
    task = next(t for t in loaded.ready_tasks() if t.spec == "task")
    with pytest.raises(Exception) as caught:
        loaded.complete(task.id, {})
    assert isinstance(_root(caught.value), SandboxViolation), repr(_root(caught.value))


@pytest.mark.parametrize("template", CORPUS + STATEMENTS)
def test_engine_refuses_a_bypassed_timer_expression(template, marker):
    bundle = _unchecked_bundle(timer_diagram(_expr(template, marker)))
    with pytest.raises(Exception) as caught:
        Engine().start(bundle)  # the timer's expression is evaluated when the task is reached
    assert isinstance(_root(caught.value), SandboxViolation), repr(_root(caught.value))


@pytest.mark.parametrize("template", CORPUS)
def test_restricted_python_and_guards_hold_without_the_whitelist(template, marker):
    """Take away our AST whitelist: RestrictedPython's compiler and the guards still refuse."""
    result = compile_restricted_eval(_expr(template, marker), "<corpus>", policy=_ExpressionPolicy)
    if result.errors or result.code is None:
        return  # refused at compile time
    started = time.monotonic()
    # missing builtins (NameError) or a guard's refusal: never a result
    with pytest.raises((SandboxViolation, NameError, AttributeError, TypeError, KeyError, IndexError)):
        eval(result.code, dict(_GUARDS))  # noqa: S307 - the point of the test
    assert time.monotonic() - started < 1
