"""What a part of the app brings to the header and, beside the review processes, what the other
features bring (the online courses, process administration, audit, organisations and people):
their blueprints, header links, consistency checks and the words of their events. Re-exported by
``plugins``, where the plug-ins and features import them from."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

NO_ROLE = ""  # in ``NavLink.roles``: people who hold no role yet (an applicant whose registration waits)


@dataclass(frozen=True)
class NavLink:
    """A page of the plug-in in the header, for people in ``roles`` at organisations of ``org_kinds``."""

    endpoint: str
    label: Any
    roles: frozenset[str]
    org_kinds: frozenset[str] | None = None  # None: any (or none)
    order: int = 50


# -- features that are not review processes -------------------------------------------------------

@dataclass(frozen=True)
class Feature:
    """A part of the product that is not a review process (the online courses): what it brings to the
    app, which the composition root (``create_app``) registers: its API and page blueprints, and
    consistency checks of its own (name -> (what it compares, ``check(report)``))."""

    name: str
    api_blueprints: tuple[Any, ...] = ()
    page_blueprints: tuple[Any, ...] = ()
    checks: dict[str, tuple[str, Callable[[Any], None]]] = field(default_factory=dict)
    ledger_sources: dict[str, Any] = field(default_factory=dict)  # as ``ProcessPlugin.ledger_sources``
    nav: tuple[NavLink, ...] = ()  # its pages in the header, as ``ProcessPlugin.nav``
    # Its pages act on records (process administrators and auditors may only read them); False for
    # a feature whose pages are the global roles' own work (process administration, audit).
    acts_on_records: bool = True
    # The words of the actions of events it records outside any process (``record_admin_event``)
    actions: dict[str, Any] = field(default_factory=dict)
    # ...and of the record types those events name (the audit search's filter and its rows)
    record_types: dict[str, Any] = field(default_factory=dict)


def features() -> tuple[Feature, ...]:
    return tuple(current_app.extensions.get("features", ()))
