"""Driving a shipped diagram on the engine alone (no database, no HTTP), as the runner does."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.services.plugins import discover
from workflows import Engine, decision_data

from .diagrams import shipped


def recording_engine(calls: list[str]) -> Engine:
    """An engine with every plug-in's handlers, each recording its name when a diagram calls it."""
    def recorder(name: str) -> Any:
        return lambda host, params, data: calls.append(name) or {}
    return Engine({name: recorder(name) for name in discover().handlers})


@dataclass
class Run:
    """One instance of a shipped diagram, saved and reloaded at every step.

    ``do`` completes a step as the runner does: checked against the step's lane, with the
    decision written under ``decision`` and under the step's own name.
    """

    engine: Engine
    bundle: object
    state: str = ""
    statuses: list[str | None] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)

    @classmethod
    def of(cls, engine: Engine, name: str, **data: Any) -> Run:
        run = cls(engine, engine.bundle(shipped(name)))
        run._record(engine.start(run.bundle, data))
        return run

    def _record(self, loaded: Any) -> None:
        snapshot = loaded.snapshot()
        self.state = snapshot.state
        self.snapshot = snapshot
        self.statuses.append(snapshot.status)
        self.labels.append(snapshot.status_label)

    def ready(self) -> list[str]:
        return [t.spec for t in self.snapshot.ready]

    def do(self, spec: str, decision: str, lane: str, **data: Any) -> Run:
        """``data``: what the plug-in's ``engine_data`` would give at this step (e.g. a moved deadline)."""
        loaded = self.engine.load(self.bundle, self.state, host="host")
        task = next(t for t in loaded.ready_tasks() if t.spec == spec)
        loaded.complete(task.id, {**data, **decision_data(spec, decision)}, lanes={lane})
        self._record(loaded)
        return self

    def message(self, name: str) -> Run:
        loaded = self.engine.load(self.bundle, self.state)
        loaded.send_message(name)
        self._record(loaded)
        return self

    def advance(self) -> bool:
        """Fire the timers that are due (on the engine's clock), as the timer job does."""
        loaded = self.engine.load(self.bundle, self.state, host="host")
        moved = loaded.advance_timers()
        self._record(loaded)
        return moved

    @property
    def completed(self) -> bool:
        return self.snapshot.completed
