"""The filing form (开班申报表) as a PDF the provider prints and stamps, rendered by WeasyPrint.

Chinese text is embedded with a CJK font of the system (``fonts-wqy-zenhei`` or Noto Sans CJK,
installed by ``make``): the glyphs used go into the PDF, so it prints the same everywhere. With
no such font on the server, the form is refused with a message rather than printed as boxes.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any

from flask import render_template

from ...clock import utcnow
from ...errors import Conflict, ServiceError
from ...i18n import _
from .views import filing_view

CJK_FAMILIES = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC",
                "WenQuanYi Micro Hei")


class FontMissing(ServiceError):
    status = 503


@functools.lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The first CJK font family fontconfig knows (looked up once per process)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10,  # noqa: S603
                            check=False).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return next((family for family in CJK_FAMILIES if family in families), None)


def title(filing: Any) -> str:
    return f"{filing.year}年度专业技术人员继续教育培训开班申报表"


def render(filing: Any) -> bytes:
    """The PDF of the filing as it stands (the content is frozen from submission on)."""
    family = cjk_family()
    if family is None:
        raise FontMissing(_("The server has no Chinese font to print the form with; ask the administrator "
                            "to install fonts-wqy-zenhei."), code="font_missing")
    if filing.submitted_at is None:
        raise Conflict(_("The filing form is generated once the filing has been submitted."), code="not_submitted")
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s, only the PDF needs it

    html = render_template("provider_prefiling/form_pdf.html", filing=filing_view(filing, with_log=False),
                           title=title(filing), font_family=family,
                           generated=utcnow().strftime("%Y-%m-%d %H:%M UTC"))
    return HTML(string=html).write_pdf()
