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


def pdf_with_object_stream(plain: dict[int, bytes], packed_number: int, first: int, packed: bytes) -> bytes:
    """A PDF 1.5 as current producers write it: ``plain`` objects written out, object
    ``packed_number`` inside object stream 4 (``packed``: its Flate data, ``first``: the length of
    the stream's header), and a cross-reference stream indexing both. The catalog is object 1.
    """
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    objects = {**plain, 4: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
               % (first, len(packed)) + packed + b"\nendstream"}
    for number, body in sorted(objects.items()):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref_number, xref_at = max(*offsets, packed_number) + 1, out.tell()
    rows = [(0, 0, 65535)] + [(2, 4, 0) if n == packed_number else (1, offsets[n], 0)
                              for n in range(1, xref_number)] + [(1, xref_at, 0)]
    table = zlib.compress(b"".join(struct.pack(">BIH", *row) for row in rows))
    out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
              b"stream\n" % (xref_number, xref_number + 1, len(table)) + table + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


PAGES = {2: b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
         3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>"}


def javascript_pdf_in_object_stream() -> bytes:
    """A well-formed PDF 1.5 whose JavaScript action sits in a Flate-compressed object stream."""
    header, action = b"5 0 ", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    return pdf_with_object_stream({1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", **PAGES},
                                  5, len(header), zlib.compress(header + action))
