"""What process administration brings to the app (registered by ``create_app``): its API and pages
and its place in the header for process administrators."""
from __future__ import annotations

from ..i18n import _l
from ..services.plugins import Feature, NavLink
from . import api, pages

FEATURE = Feature(
    name="process_admin", api_blueprints=(api.blp,), page_blueprints=(pages.blp,), acts_on_records=False,
    nav=(NavLink("process_admin_pages.index", _l("Process definitions"), frozenset({api.ROLE}), order=30),
         NavLink("process_admin_pages.held", _l("Suspended and stuck"), frozenset({api.ROLE}), order=31)),
    actions={"draft_create": _l("Diagram draft created"), "draft_save": _l("Diagram draft saved"),
             "draft_delete": _l("Diagram draft deleted"), "publish": _l("Diagram version published")})
