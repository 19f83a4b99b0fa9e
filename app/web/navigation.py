"""The header's links: the plug-ins' pages for the role a person acts in, and each role's start page."""
from __future__ import annotations

from flask import current_app

from ..i18n import _l
from ..models import GLOBAL_ROLES
from ..services.actors import Actor
from ..services.plugins import NO_ROLE, NavLink, features

REVIEW_ROLES = ("reviewer", "admin")
# Pages of the shared services (not of one process or feature), after the plug-ins' own.
SHARED_LINKS = (NavLink("record_pages.home", _l("Learning home"), frozenset({"trainee"}), order=5),
                NavLink("record_pages.record", _l("Hour record"), frozenset({"trainee"}), order=88),
                NavLink("record_pages.history", _l("History"), frozenset({"trainee"}), order=89),
                NavLink("certificate_pages.index", _l("E-certificates"), frozenset({"trainee"}), order=90))


def active(actor: Actor | None) -> tuple[str | None, int | None]:
    pair = next(iter(actor.roles)) if actor and actor.roles else None
    return (pair[0], pair[1]) if pair else (None, None)


def nav_links(actor: Actor | None) -> list[NavLink]:
    """The plug-ins' pages for the role the actor acts in, at an organisation of its kind."""
    role, org_id = active(actor)
    if actor is None:
        return []
    role = role or NO_ROLE  # a person with no role yet sees the pages offered to them (NO_ROLE)
    kind = actor.org_kinds.get(org_id) if org_id else None
    offered = [*(link for plugin in current_app.extensions["plugins"] for link in plugin.nav),
               *(link for feature in features() for link in feature.nav), *SHARED_LINKS]
    links = [link for link in offered if role in link.roles and (link.org_kinds is None or kind in link.org_kinds)]
    return sorted(links, key=lambda link: link.order)


def start_endpoint(actor: Actor | None) -> str:
    role, _org = active(actor)
    if role in REVIEW_ROLES:
        return "inbox.index"
    if role in GLOBAL_ROLES:
        return "processes.index"
    links = nav_links(actor)
    return links[0].endpoint if links else "account.password"
