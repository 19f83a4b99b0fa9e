"""Checking uploaded proof files by their content, never by their name.

A file is accepted only if its bytes open as the type they claim: Pillow
decodes JPEG/PNG images fully (with a pixel limit against decompression
bombs), pypdf parses PDFs and must find at least one page; active PDF content
(JavaScript, launch actions, embedded files, additional actions) is refused,
however it is disguised (escaped names, compressed object streams). The name's extension
must agree with the content, and the name itself is kept for display only.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageFile, UnidentifiedImageError
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from ..errors import Invalid
from ..i18n import _

MAX_PIXELS = 40_000_000
EXTENSIONS = {"jpeg": (".jpg", ".jpeg"), "png": (".png",), "gif": (".gif",), "bmp": (".bmp",), "pdf": (".pdf",)}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp",
                 "pdf": "application/pdf"}
# What a record takes unless its policy says otherwise; GIF and BMP only where a policy names them
# (seed 001's unit declarations take .jpg .jpeg .gif .bmp .png images).
DEFAULT_KINDS = ("jpeg", "png", "pdf")
PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles",
                             "/RichMedia", "/XFA"})
PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE",
                                "/RichMediaExecute"})
MAX_PDF_OBJECTS = 200_000
# What pypdf may inflate while the objects are walked (object streams, cross-reference streams).
# Objects are small; a stream that inflates beyond this is a bomb. pypdf's own default is 75 MB.
MAX_PDF_INFLATED_BYTES = 8 * 1024 * 1024
_PDF_LIMITS = {name: MAX_PDF_INFLATED_BYTES for name in (
    "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
    "brotli_maximum_output_length", "array_based_stream_maximum_output_length", "jbig2_maximum_output_length")}

logging.getLogger("pypdf").setLevel(logging.ERROR)
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, as a second fence


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    extension: str
    filename: str
    size: int
    sha256: str


def clean_filename(name: str | None) -> str:
    """A display name: no directories, no control characters, at most 100 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[-100:] or "file"


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM") and len(data) > 26:
        return "bmp"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    return None


def _kinds_text(kinds: tuple[str, ...]) -> str:
    return ", ".join("jpg" if kind == "jpeg" else kind for kind in kinds)


def _verify_image(data: bytes, kind: str) -> None:
    # Pillow's switch is process-wide and WeasyPrint turns it on when it is imported (to draw
    # truncated images in PDFs): with it on, a truncated image or a text-chunk bomb would pass.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format.lower() != kind:
                raise Invalid(_("The image content does not match its type."), code="bad_file")
            width, height = image.size
            if width * height > MAX_PIXELS:  # checked from the header, before decoding
                raise Invalid(_("The image has too many pixels."), code="bad_file")
            image.load()  # decode every pixel: truncated or corrupt files fail here
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(_("The image is corrupt."), code="bad_file") from None


def _verify_pdf(data: bytes) -> None:
    try:
        with apply_configuration(**_PDF_LIMITS):
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Invalid(_("Encrypted PDFs cannot be reviewed."), code="bad_file")
            if len(reader.pages) < 1:
                raise Invalid(_("The PDF has no pages."), code="bad_file")
            _refuse_active_content(reader)
    except Invalid:
        raise
    except LimitReachedError:
        raise Invalid(_("The PDF is too complex."), code="bad_file") from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError):
        raise Invalid(_("The PDF is corrupt."), code="bad_file") from None


def _refuse_active_content(reader: PdfReader) -> None:
    """Walk every object reachable from the trailer, as a PDF reader would see it.

    pypdf decodes ``#xx``-escaped names and objects packed in compressed object
    streams, so a disguised ``/JavaScript`` is seen for what it is. Stream
    contents are not decoded: only dictionaries and arrays are walked.
    """
    stack: list[Any] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise Invalid(_("The PDF is too complex."), code="bad_file")
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in PDF_ACTIVE_KEYS or (name == "/S" and value in PDF_ACTIVE_ACTIONS):
                    raise Invalid(_("PDFs with scripts, actions or embedded files are not accepted."),
                                  code="bad_file")
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def check_upload(data: bytes, filename: str | None, max_bytes: int,
                 kinds: tuple[str, ...] = DEFAULT_KINDS) -> CheckedFile:
    """Return what the file really is, or raise Invalid with a reason a person can act on.

    ``kinds`` are the types the record takes (``jpeg``, ``png``, ``gif``, ``bmp``, ``pdf``).
    """
    if not data:
        raise Invalid(_("The file is empty."), code="bad_file", fields={"file": [_("Empty.")]})
    if len(data) > max_bytes:
        raise Invalid(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)), code="file_too_large",
                      fields={"file": [_("Too large.")]})
    kind = _sniff(data)
    if kind not in kinds and tuple(kinds) == DEFAULT_KINDS:
        raise Invalid(_("Only jpg, png and pdf files are accepted."),
                      code="bad_file_type", fields={"file": [_("Not a jpg, png or pdf.")]})
    if kind not in kinds:
        accepted = _kinds_text(tuple(kinds))
        raise Invalid(_("Only these files are accepted: %(kinds)s.", kinds=accepted),
                      code="bad_file_type", fields={"file": [_("Not one of: %(kinds)s.", kinds=accepted)]})
    name = clean_filename(filename)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[kind]:
        raise Invalid(_("The file name does not match its content."),
                      code="bad_file_type",
                      fields={"file": [_("The content is %(kind)s.", kind=kind.upper())]})
    if kind == "pdf":
        _verify_pdf(data)
    else:
        _verify_image(data, kind)
    return CheckedFile(kind=kind, content_type=CONTENT_TYPES[kind], extension=EXTENSIONS[kind][0],
                       filename=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())
