"""Lanes: who may act in a lane of a process's diagram, resolved from the record to a list of
candidates when a task becomes ready (a person, or the holders of roles in organisations)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """Who may act on a task: holders of ``role`` in organisation ``org_id``, or one person."""

    role: str | None = None
    org_id: int | None = None
    user_id: int | None = None

    @property
    def personal(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class Lane:
    """A lane of a diagram: ``resolve(record)`` lists its candidates when a task becomes ready.

    A personal lane (a person's own steps: fill in, resubmit) is acted on through the
    record's own pages; the others are reviews, listed in the inbox.
    """

    resolve: Callable[[Any], list[Candidate]]
    personal: bool = False
    # The roles its candidates hold (None: any role). The inbox looks for an actor's tasks only
    # under the roles some lane names, so a trainee's role costs an inbox no index range.
    roles: frozenset[str] | None = None


def person(attribute: str) -> Lane:
    """The lane of one person, named by ``record.<attribute>`` (a user id)."""
    def resolve(record: Any) -> list[Candidate]:
        user_id = getattr(record, attribute)
        return [Candidate(user_id=user_id)] if user_id is not None else []
    return Lane(resolve, personal=True)


def reviewers(orgs: Callable[[Any], Iterable[int | None]], roles: tuple[str, ...] = ("reviewer",)) -> Lane:
    """The lane of everyone holding one of ``roles`` in the organisations ``orgs(record)`` lists."""
    def resolve(record: Any) -> list[Candidate]:
        return [Candidate(role=role, org_id=org) for org in dict.fromkeys(orgs(record)) if org is not None
                for role in roles]
    return Lane(resolve, roles=frozenset(roles))


def org_reviewers(attribute: str, roles: tuple[str, ...] = ("reviewer",)) -> Lane:
    """Reviewers of the one organisation named by ``record.<attribute>``."""
    return reviewers(lambda record: [getattr(record, attribute)], roles)
