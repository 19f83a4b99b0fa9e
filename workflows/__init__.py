"""The engine adapter: SpiffWorkflow behind a small, framework-free API.

Nothing in this package imports Flask or the ``app`` package; the web app
talks to the engine only through these names.
"""
from .analysis import decision_data, decision_key, decision_problems, due_at
from .clock import use_clock
from .diffing import BundleDiff, diff_bundles
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
from .instance import STATUS_SEPARATOR, LoadedInstance, ReadyTask, Snapshot, combined_status
from .sandbox import evaluate_expression
from .simulation import Simulation, simulate
from .specs import Flow, ProcessBundle, ProcessGraph, TaskInfo, content_hash, parse_bundle
from .validation import LABEL_SEPARATOR, check_diagram

__all__ = [
    "LABEL_SEPARATOR", "STATUS_SEPARATOR", "BundleDiff", "DeepWorkflow", "DiagramError", "Engine", "EventNotWaiting",
    "Flow", "LaneError", "LoadedInstance", "MigrationRefused", "ProcessBundle", "ProcessGraph", "ReadyTask",
    "SandboxViolation",
    "ServiceTaskError", "Simulation", "Snapshot", "TaskInfo", "TaskStateError", "WorkflowError", "check_diagram",
    "combined_status", "content_hash", "decision_data", "decision_key", "decision_problems", "diff_bundles",
    "due_at", "evaluate_expression", "parse_bundle", "simulate", "use_clock",
]
