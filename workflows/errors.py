"""Errors raised by the engine adapter.

They carry plain data only, so callers (the Flask app, CLI commands, tests) can
map them to their own responses without importing SpiffWorkflow.
"""
from __future__ import annotations


class WorkflowError(Exception):
    """Base class of every error this package raises on purpose."""


class DiagramError(WorkflowError):
    """A BPMN diagram was refused at load time.

    ``problems`` lists one human-readable line per problem found, each naming
    the element id, so a process administrator can fix them all in one go.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems) or "invalid diagram")


class SandboxViolation(WorkflowError):
    """An expression tried something the expression sandbox does not allow."""


class TaskStateError(WorkflowError):
    """A task cannot be acted on: it does not exist, is not READY, or is not a user task."""


class LaneError(WorkflowError):
    """The caller may not act in the lane of the task."""


class EventNotWaiting(WorkflowError):
    """No task of the instance is waiting for the event that was sent."""


class ServiceTaskError(WorkflowError):
    """A service task named an operation that is not registered, or the handler failed."""


class MigrationRefused(WorkflowError):
    """Moving an instance to another diagram version would corrupt it."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
