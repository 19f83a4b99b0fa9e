"""PDFs with active content (JavaScript run on open), plainly and in disguise.

All three open in a PDF reader with the same ``/OpenAction << /S /JavaScript /JS ... >>``;
only the first spells the names out literally in the file's bytes.
"""
from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def javascript_pdf() -> bytes:
    """A one-page PDF that runs JavaScript when opened."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def javascript_pdf_escaped_names() -> bytes:
    """The same, with the names written as #xx escapes (/J#61vaScript reads as /JavaScript)."""
    data = javascript_pdf()
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")


def javascript_pdf_in_object_stream() -> bytes:
    """A well-formed PDF 1.5 whose JavaScript action sits in a Flate-compressed object stream.

    Object streams and cross-reference streams are what most current PDF producers write.
    """
    header, action = b"5 0 ", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    packed = zlib.compress(header + action)
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def obj(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>")
    obj(2, b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>")
    obj(4, b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed)) + packed + b"\nendstream")
    xref_at = out.tell()
    rows = [(0, 0, 65535), *((1, offsets[n], 0) for n in (1, 2, 3, 4)), (2, 4, 0), (1, xref_at, 0)]
    table = zlib.compress(b"".join(struct.pack(">BIH", *row) for row in rows))
    out.write(b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
              b"stream\n" % len(table) + table + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()
