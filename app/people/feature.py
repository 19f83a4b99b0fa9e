"""What the people tools bring to the app (registered by ``create_app``): their API and pages, the
header links of unit administrators and authority staff, and the words of the events they record."""
from __future__ import annotations

from ..i18n import _l
from ..services.plugins import Feature, NavLink
from . import api, models, pages  # noqa: F401  (models: the import, detail and look-up tables)
from .importing import ACTION_ACCOUNT, ACTION_IMPORT

FEATURE = Feature(
    name="people", api_blueprints=(api.blp,), page_blueprints=(pages.blp,),
    nav=(NavLink("people_pages.import_page", _l("Staff import"), frozenset({"admin", "super_admin"}),
                 frozenset({"unit"}), order=60),
         NavLink("people_pages.query_page", _l("Staff query"), frozenset({"admin", "super_admin"}),
                 frozenset({"unit", "authority"}), order=61),
         NavLink("people_pages.query_page", _l("Staff query"), frozenset({"reviewer"}), frozenset({"authority"}),
                 order=61)),
    actions={ACTION_IMPORT: _l("Staff imported"), ACTION_ACCOUNT: _l("Account imported")})
