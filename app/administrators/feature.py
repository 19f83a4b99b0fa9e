"""What administrators and roles bring to the app (registered by ``create_app``, as the online
courses): the API and pages of 管理单位管理员 and 角色管理, their header links, the words of the
events they record. Importing ``roles`` adds the organisation roles' grants to every ``Actor``."""
from __future__ import annotations

from ..i18n import _l
from ..services.plugins import Feature, NavLink
from . import api, models, pages, roles, service  # noqa: F401  (models: the tables)

ADMIN_ORGS = frozenset({"unit", "authority"})
HATS = frozenset({service.ADMIN, service.SUPER})  # the super admin's title is a hat of its own too

FEATURE = Feature(
    name="administrators", api_blueprints=(api.blp,), page_blueprints=(pages.blp,),
    nav=(NavLink("administrators_pages.admins", _l("管理单位管理员"), HATS, ADMIN_ORGS, order=60),
         NavLink("administrators_pages.roles", _l("角色管理"), HATS, ADMIN_ORGS, order=61)),
    actions={**roles.ACTIONS, service.DISABLE: _l("Account disabled"), service.ENABLE: _l("Account enabled")},
    record_types={roles.RECORD_TYPE: _l("Organisation role")})
