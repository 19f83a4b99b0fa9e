"""A course's media: checking an upload by its content (an mp4 or webm video, or a PDF document),
and the demo's short videos, encoded here at demo-load time (no downloads of media).

A video is accepted when its first bytes are those of the container it claims (an ISO base media
``ftyp`` box with an mp4 brand; an EBML header whose DocType is ``webm``) and its name's extension
agrees; a PDF goes through the proof files' own check (``services.uploads``: parsed, no active
content). Anything else (a PDF renamed .mp4, an executable, an image) is refused, and nothing is
stored. The size limit is ``COURSES.MAX_MEDIA_BYTES``.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, request

from ..errors import Invalid
from ..i18n import _
from ..services import uploads

VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
EXTENSIONS = {"mp4": (".mp4", ".m4v"), "webm": (".webm",), "pdf": (".pdf",)}
MP4_BRANDS = (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4")
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@dataclass(frozen=True)
class CheckedMedia:
    kind: str  # "video" | "document": what the course becomes
    content_type: str
    extension: str
    size: int


def sniff(data: bytes) -> str | None:
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in MP4_BRANDS:
        return "mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in data[:64]:
        return "webm"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    return None


def max_bytes() -> int:
    return int(current_app.config.get("COURSES", {}).get("MAX_MEDIA_BYTES", 200 * 1024 * 1024))


def allow_large_body() -> None:
    """Let this request's body exceed the app-wide ``MAX_CONTENT_LENGTH`` (proof files) up to the
    media limit and a little form overhead; a file over the limit is then read one byte past it
    and refused by ``check`` with its reason, a body far over it answers 413. Call it before the
    body is parsed (the pages: a URL value preprocessor, which runs before the CSRF check)."""
    request.max_content_length = max(max_bytes() + 256 * 1024, current_app.config.get("MAX_CONTENT_LENGTH") or 0)


def check(data: bytes, filename: str | None, limit: int) -> CheckedMedia:
    """What the file really is, or ``Invalid`` with a reason in Chinese (nothing is stored)."""
    if not data:
        raise Invalid(_("文件为空。"), code="bad_file", fields={"file": [_("文件为空。")]})
    if len(data) > limit:
        message = _("文件超过 %(mb)s MB，不能上传。", mb=max(limit // (1024 * 1024), 1))
        raise Invalid(message, code="file_too_large", fields={"file": [message]})
    kind = sniff(data)
    if kind is None:
        message = _("只能上传 mp4、webm 格式的视频或 pdf 格式的文档。")
        raise Invalid(message, code="bad_file_type", fields={"file": [message]})
    name = uploads.clean_filename(filename)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[kind]:
        message = _("文件扩展名与文件内容（%(kind)s）不符。", kind=kind.upper())
        raise Invalid(message, code="bad_file_type", fields={"file": [message]})
    if kind == "pdf":
        checked = uploads.check_upload(data, name, limit)
        return CheckedMedia("document", checked.content_type, checked.extension, checked.size)
    return CheckedMedia("video", VIDEO_TYPES[kind], EXTENSIONS[kind][0], len(data))


# -- the demo's videos ------------------------------------------------------------------------

def encoder() -> str | None:
    """The ffmpeg binary the pinned ``imageio-ffmpeg`` wheel ships (None when it is not installed)."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return shutil.which("ffmpeg")


def _font(size: int):
    from PIL import ImageFont
    for path in CJK_FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return None


def _frames(title: str, subtitle: str, size: tuple[int, int], count: int) -> bytes:
    """Raw RGB frames: a title card with the title, a line under it, and a bar that fills up."""
    from PIL import Image, ImageDraw
    width, height = size
    big, small = _font(26), _font(16)
    card = Image.new("RGB", size, (18, 64, 120))
    draw = ImageDraw.Draw(card)
    if big is None:  # no CJK font: a plain card (the bar still moves)
        draw.text((16, 16), "Course video", fill=(255, 255, 255))
    else:
        draw.text((width // 2, height // 2 - 22), title, font=big, fill=(255, 255, 255), anchor="mm")
        draw.text((width // 2, height // 2 + 16), subtitle, font=small, fill=(200, 220, 255), anchor="mm")
    out = io.BytesIO()
    for i in range(count):
        frame = card.copy()
        bar = ImageDraw.Draw(frame)
        bar.rectangle((20, height - 24, 20 + (width - 40) * (i + 1) // count, height - 16), fill=(255, 200, 40))
        out.write(frame.tobytes())
    return out.getvalue()


def demo_video(title: str, subtitle: str, *, seconds: int = 4, size: tuple[int, int] = (480, 270),
               fps: int = 10) -> bytes | None:
    """A few seconds of VP9 in webm (which Chromium plays without proprietary codecs), or None
    without an encoder. The title is drawn with Pillow, so no ffmpeg font set-up is needed."""
    exe = encoder()
    if exe is None:
        return None
    title = title if len(title) <= 16 else title[:15] + "…"
    frames = _frames(title, subtitle, size, seconds * fps)
    with tempfile.TemporaryDirectory(prefix="course-video-") as tmp:
        target = Path(tmp) / "clip.webm"
        command = [exe, "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   "-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", "-c:v", "libvpx-vp9",
                   "-b:v", "200k", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p",
                   "-an", "-y", str(target)]
        # the wheel's own binary and our own arguments (a title goes in as pixels, never as an argument)
        done = subprocess.run(command, input=frames, capture_output=True, timeout=120, check=False)  # noqa: S603
        if done.returncode != 0 or not target.is_file():
            current_app.logger.warning("demo video not made: %s", done.stderr.decode(errors="replace")[-300:])
            return None
        return target.read_bytes()
