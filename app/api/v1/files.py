"""Uploading and downloading a record's files through the API, for any process."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from ...errors import Invalid
from ...i18n import _
from ...services import uploads

UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "description": {"type": "string", "maxLength": 60}}}}}}}
DOWNLOAD_DOC = {"responses": {"200": {"description": "The file, with the type its content was checked to be",
                                      "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                                                  for content_type in sorted(uploads.CONTENT_TYPES.values())}}}}


def uploaded(max_bytes: int | None = None) -> tuple[bytes, str | None, str | None]:
    """The multipart ``file`` (read up to one byte past the limit) and its ``description``."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
    limit = max_bytes or current_app.config["UPLOADS"]["MAX_FILE_BYTES"]
    return upload.stream.read(limit + 1), upload.filename, request.form.get("description")


def file_response(row: Any, data: bytes) -> Response:
    """A stored file, shown as what it was checked to be, sandboxed (it can run nothing)."""
    response = Response(data, mimetype=row.content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
