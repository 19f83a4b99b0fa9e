"""The engine adapter: SpiffWorkflow behind a small, framework-free API.

Nothing in this package imports Flask or the ``app`` package; the web app
talks to the engine only through these names.
"""
from .engine import DeepWorkflow, Engine
from .errors import (
                     DiagramError,
                     EventNotWaiting,
                     LaneError,
                     MigrationRefused,
                     SandboxViolation,
                     ServiceTaskError,
                     TaskStateError,
                     WorkflowError,
)
from .instance import LoadedInstance, ReadyTask, Snapshot
from .sandbox import evaluate_expression
from .specs import ProcessBundle, TaskInfo, content_hash, parse_bundle
from .validation import check_diagram

__all__ = [
    "DeepWorkflow", "DiagramError", "Engine", "EventNotWaiting", "LaneError", "LoadedInstance", "MigrationRefused",
    "ProcessBundle", "ReadyTask", "SandboxViolation", "ServiceTaskError", "Snapshot",
    "TaskInfo", "TaskStateError", "WorkflowError", "check_diagram", "content_hash",
    "evaluate_expression", "parse_bundle",
]
