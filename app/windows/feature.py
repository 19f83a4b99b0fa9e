"""What the yearly windows and policy settings bring to the app (registered by ``create_app``): the API,
the authority administrators' page and the words of their audit events."""
from __future__ import annotations

from ..i18n import _l
from ..services.plugins import Feature, NavLink
from . import api, pages, service

FEATURE = Feature(
    name="windows", api_blueprints=(api.blp,), page_blueprints=(pages.blp,),
    nav=(NavLink("windows_pages.settings", _l("Yearly windows and policy"), frozenset({"admin"}),
                 org_kinds=frozenset({"authority"}), order=70),),
    actions=service.ACTIONS,
    record_types={"window": _l("Claim windows"), "policy": _l("Hour policy")})
