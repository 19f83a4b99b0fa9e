"""What the organisation pages bring to the app (registered by ``create_app``, as the online courses):
their API and pages, their header links, and the words of the events they record."""
from __future__ import annotations

from ..i18n import _l
from ..models import GLOBAL_ROLES
from ..services.plugins import Feature, NavLink
from . import api, checks, pages
from .service import ACTIONS, ADMIN_ROLES, STAFF_ROLES

FEATURE = Feature(
    name="organisations", api_blueprints=(api.blp,), page_blueprints=(pages.blp,),
    checks={checks.NAME: (checks.WHAT, checks.check)},
    nav=(NavLink("organisation_pages.tree", _l("Organisation tree"), frozenset({*STAFF_ROLES, *GLOBAL_ROLES}),
                 order=70),
         NavLink("organisation_pages.mine", _l("Manage departments"), frozenset(ADMIN_ROLES), order=71),
         NavLink("organisation_pages.subordinates", _l("Subordinate units"), frozenset(ADMIN_ROLES),
                 org_kinds=frozenset({"authority"}), order=72)),
    actions=dict(ACTIONS), record_types={"department": _l("Department")})
