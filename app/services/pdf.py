"""Printing to PDF (WeasyPrint) with the Chinese text embedded.

Chinese text needs a CJK font of the system (``fonts-wqy-zenhei`` or Noto Sans CJK, installed by
``make``): the glyphs used go into the PDF, so it prints the same everywhere. With no such font
on the server a PDF is refused with a message (503) rather than printed as boxes.
"""
from __future__ import annotations

import functools
import shutil
import subprocess

from flask import Response

from ..errors import ServiceError
from ..i18n import _

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


def font_family() -> str:
    """The CJK family to print with, or FontMissing (503) naming the package to install."""
    family = cjk_family()
    if family is None:
        raise FontMissing(_("The server has no Chinese font to print the form with; ask the administrator "
                            "to install fonts-wqy-zenhei."), code="font_missing")
    return family


def render(html: str) -> bytes:
    """HTML (already naming ``font_family()`` in its CSS) to PDF bytes."""
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s, only a PDF needs it

    return HTML(string=html).write_pdf()


def attachment(data: bytes, filename: str) -> Response:
    """A printed PDF as a download: never cached by a shared cache, never sniffed as anything else."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
