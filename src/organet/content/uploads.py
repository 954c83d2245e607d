"""Uploads: files checked by their content, images re-encoded without metadata, stored with random names.

What a file *is* is decided from its bytes (magic numbers, and Pillow for images), never from
its name or the type the browser declared. Images are decoded and encoded again, which drops
EXIF (camera, GPS position), comments and any payload appended to the file. SVG is never
accepted as an image: it is a document that can carry script.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageOps, UnidentifiedImageError

from organet.content.models import Upload
from organet.errors import ValidationError
from organet.i18n import gettext as _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from starlette.datastructures import UploadFile

    from organet.site import Site

# Pillow's own guard (a warning above this many pixels, an error above twice as many); our
# explicit check against the site's setting comes before it.
Image.MAX_IMAGE_PIXELS = 50_000_000

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "GIF": ("image/png", "png"),
                 "WEBP": ("image/webp", "webp")}
SAFE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_MARKUP_START = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe|<!--)", re.I)


@dataclass(frozen=True)
class Detected:
    """What a file turned out to be: its content type and the extension to serve it with."""

    content_type: str
    extension: str


def clean_filename(name: str, extension: str) -> str:
    """Return a safe file name to show and serve: letters, digits, dots, dashes; the real extension."""
    stem = Path(name or "file").name.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80] or "file"
    return f"{stem}.{extension}"


def detect_document(data: bytes) -> Detected | None:
    """Recognise the non-image files organet accepts by their first bytes; ``None`` for anything else."""
    if data.startswith(b"%PDF-"):
        return Detected("application/pdf", "pdf")
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return Detected("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
        if "xl/workbook.xml" in names:
            return Detected("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        if "ppt/presentation.xml" in names:
            return Detected("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
        if "mimetype" in names and "content.xml" in names:
            return Detected("application/vnd.oasis.opendocument", "odt")
        return Detected("application/zip", "zip")
    if b"\x00" in data[:8192] or _MARKUP_START.match(data[:512]):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Detected("text/plain", "txt")


def _open_image(data: bytes, max_pixels: int) -> Image.Image | None:
    """Open ``data`` as an image when it is one of the accepted formats; refuse bombs before decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                return None
            width, height = image.size
            if width * height > max_pixels or width > 20_000 or height > 20_000:
                raise ValidationError(_("This image is too large (%(width)s × %(height)s pixels). "
                                        "Make it smaller than %(limit)s megapixels and try again.",
                                        width=width, height=height, limit=max_pixels // 1_000_000),
                                      {"file": [_("The image is too large.")]})
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("This image is too large to open safely."),
                              {"file": [_("The image is too large.")]}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def reencode(image: Image.Image, image_format: str) -> tuple[bytes, Detected]:
    """Encode ``image`` afresh, turned upright and without any metadata; return the bytes and their type."""
    content_type, extension = IMAGE_FORMATS[image.format or image_format]
    image = ImageOps.exif_transpose(image) or image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    target = "RGBA" if has_alpha and extension != "jpg" else "RGB"
    clean = image.convert(target)
    clean.info = {}
    out = io.BytesIO()
    if extension == "jpg":
        clean.save(out, "JPEG", quality=88, optimize=True)
    elif extension == "webp":
        clean.save(out, "WEBP", quality=85)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue(), Detected(content_type, extension)


def thumbnail(image: Image.Image, size: int) -> tuple[bytes, str]:
    """Return a thumbnail within ``size`` pixels square (JPEG, or PNG with transparency) and its extension."""
    small = (ImageOps.exif_transpose(image) or image).copy()
    small.thumbnail((size, size))
    has_alpha = small.mode in ("RGBA", "LA", "PA") or "transparency" in small.info
    out = io.BytesIO()
    if has_alpha:
        small.convert("RGBA").save(out, "PNG")
        return out.getvalue(), "png"
    small.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue(), "jpg"


def media_folder(site: Site) -> Path:
    """Return the site's media folder (shared by every worker), creating it when needed."""
    folder = Path(site.config.media_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store(site: Site, plugin: str, data: bytes, extension: str) -> str:
    relative = f"{plugin}/{secrets.token_hex(1)}/{secrets.token_hex(16)}.{extension}"
    target = media_folder(site) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative


def _read_limited(upload: UploadFile, limit: int) -> bytes:
    upload.file.seek(0)
    data: bytes = upload.file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("This file is larger than %(limit)s MB. Choose a smaller file.",
                                limit=limit // (1024 * 1024)), {"file": [_("The file is too large.")]})
    if not data:
        raise ValidationError(_("This file is empty. Choose another file."), {"file": [_("The file is empty.")]})
    return data


def save_upload(session: Session, site: Site, upload: UploadFile, owner: Any, plugin: str, kind: str,
                object_id: str | int, images_only: bool = False) -> Upload:
    """Check, clean and store an uploaded file for an object; return its :class:`Upload` row (flushed).

    Raises :class:`organet.ValidationError` with a message for the person when the file is too
    large, empty, an image too large to decode safely, not an image while ``images_only``, or of
    a kind organet does not accept (HTML, SVG, programs, ...). Serve it with
    ``request.url_for("content:media", id=upload.id, name=upload.filename)``; only people for
    whom ``object_visible_to`` answers True for the object get it.
    """
    limit = int(site.setting("content", "max_upload_mb")) * 1024 * 1024
    data = _read_limited(upload, limit)
    image = _open_image(data, int(site.setting("content", "max_image_pixels")))
    thumb: tuple[bytes, str] | None = None
    if image is not None:
        thumb = thumbnail(image, int(site.setting("content", "thumbnail_px")))
        data, detected = reencode(image, image.format or "PNG")
    elif images_only:
        raise ValidationError(_("This file is not a picture organet can use. Upload a JPEG, PNG, GIF or WebP image."),
                              {"file": [_("Not a JPEG, PNG, GIF or WebP image.")]})
    else:
        found = detect_document(data)
        if found is None:
            raise ValidationError(_("This kind of file cannot be uploaded. Upload an image, a PDF, an Office "
                                    "document or plain text."), {"file": [_("This kind of file is not accepted.")]})
        detected = found
    row = Upload(id=secrets.token_hex(16), owner_id=getattr(owner, "id", owner), plugin=plugin, kind=kind,
                 object_id=str(object_id), filename=clean_filename(upload.filename or "", detected.extension),
                 content_type=detected.content_type, size=len(data), is_image=image is not None,
                 width=image.width if image is not None else None,
                 height=image.height if image is not None else None,
                 path=_store(site, plugin, data, detected.extension))
    if thumb is not None:
        row.thumbnail_path = _store(site, plugin, *thumb)
    session.add(row)
    session.flush()
    return row


def delete_upload(session: Session, site: Site, upload: Upload) -> None:
    """Remove an upload's row and its files."""
    for relative in (upload.path, upload.thumbnail_path):
        if relative:
            (media_folder(site) / relative).unlink(missing_ok=True)
    session.delete(upload)
