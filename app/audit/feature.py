"""What the audit tools bring to the app (registered by ``create_app``, as the online courses): their
API and pages, their header links, and the words of the one event they record."""
from __future__ import annotations

from ..i18n import _l
from ..services.plugins import Feature, NavLink
from . import api, models, pages  # noqa: F401  (models: the checkpoint tables)
from .access import READERS
from .integrity import ACTION

FEATURE = Feature(
    name="audit", api_blueprints=(api.blp,), page_blueprints=(pages.blp,), acts_on_records=False,
    nav=(NavLink("audit_pages.search_page", _l("Audit log"), frozenset(READERS), order=80),
         NavLink("audit_pages.integrity_page", _l("Log integrity"), frozenset(READERS), order=81)),
    actions={ACTION: _l("Integrity verification started")})
