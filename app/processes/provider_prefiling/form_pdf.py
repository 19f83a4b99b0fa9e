"""The filing form (开班申报表) as a PDF the provider prints and stamps (``services/pdf.py``)."""
from __future__ import annotations

from typing import Any

from flask import render_template

from ...clock import utcnow
from ...errors import Conflict
from ...i18n import _
from ...services import pdf
from .views import filing_view


def title(filing: Any) -> str:
    return f"{filing.year}年度专业技术人员继续教育培训开班申报表"


def render(filing: Any) -> bytes:
    """The PDF of the filing as it stands (the content is frozen from submission on)."""
    family = pdf.font_family()
    if filing.submitted_at is None:
        raise Conflict(_("The filing form is generated once the filing has been submitted."), code="not_submitted")
    html = render_template("provider_prefiling/form_pdf.html", filing=filing_view(filing, with_log=False),
                           title=title(filing), font_family=family,
                           generated=utcnow().strftime("%Y-%m-%d %H:%M UTC"))
    return pdf.render(html)
