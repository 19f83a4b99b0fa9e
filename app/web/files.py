"""How the pages serve a stored proof file (the trainee's own page and the reviewer's task page).

A proof is shown inline (images and PDFs) inside our own pages. Its type is the one checked at
upload, never guessed by the browser (nosniff), it may load nothing and run nothing, and only our
pages may frame it. There is no CSP ``sandbox`` here, unlike the API download: Chromium refuses
to show a PDF in a sandboxed document, and active PDFs (JavaScript, launch actions, embedded
files) are already refused at upload.
"""
from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file

FILE_CSP = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
            "plugin-types application/pdf; frame-ancestors 'self'")


def proof_response(stored: Any, data: bytes) -> Response:
    """``stored`` is the file's row (its ``content_type`` and ``filename``)."""
    response: Response = send_file(io.BytesIO(data), mimetype=stored.content_type, as_attachment=False,
                                   download_name=stored.filename, conditional=False, etag=False)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
