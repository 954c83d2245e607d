"""Uploads: checked by content, bombs refused, metadata stripped, served safely and only to those who may see."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from starlette.datastructures import UploadFile

from organet import ValidationError
from organet.content import save_upload
from organet.testing import db_session


def upload_file(data: bytes, name: str) -> UploadFile:
    return UploadFile(file=io.BytesIO(data), filename=name)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    gps = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (5.0, 7.0, 12.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024 * 64, 9)  # a tiny start of an enormous picture
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


SVG_WITH_SCRIPT = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML_AS_JPG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def save(app, user, data, name, **kwargs):
    with db_session(app) as session:
        row = save_upload(session, app.state.site, upload_file(data, name), user, "demo", "post", "1", **kwargs)
        session.expunge(row)
        return row


def test_jpeg_is_reencoded_without_exif_or_gps_and_gets_a_thumbnail(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    row = save(demo.app, anna, original, "holiday photo.JPG")
    assert row.is_image and row.content_type == "image/jpeg" and row.filename == "holiday-photo.jpg"
    response = client_for(demo.app, anna).get(f"/media/{row.id}/{row.filename}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["x-content-type-options"] == "nosniff"
    served = Image.open(io.BytesIO(response.content))
    assert not served.getexif() and b"SpyCam" not in response.content
    thumb = client_for(demo.app, anna).get(f"/media/{row.id}/thumbnail/{row.filename}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"


def test_files_are_stored_under_the_media_folder_with_random_names(demo, make_user):
    anna = make_user(demo.app, "anna")
    row = save(demo.app, anna, jpeg_with_gps(), "../../etc/passwd.jpg")
    stored = demo.app.state.site.config.media_dir / row.path
    assert stored.is_file() and "passwd" not in row.path and row.filename == "passwd.jpg"


def test_svg_with_script_is_refused_as_image_and_as_file(demo, make_user):
    anna = make_user(demo.app, "anna")
    with pytest.raises(ValidationError):
        save(demo.app, anna, SVG_WITH_SCRIPT, "logo.svg", images_only=True)
    with pytest.raises(ValidationError):
        save(demo.app, anna, SVG_WITH_SCRIPT, "logo.svg")


def test_png_decompression_bomb_is_refused_before_decoding(demo, make_user):
    anna = make_user(demo.app, "anna")
    with pytest.raises(ValidationError) as refused:
        save(demo.app, anna, png_bomb(), "bomb.png", images_only=True)
    assert "too large" in str(refused.value)


def test_html_named_jpg_is_refused(demo, make_user):
    anna = make_user(demo.app, "anna")
    with pytest.raises(ValidationError) as refused:
        save(demo.app, anna, HTML_AS_JPG, "cat.jpg", images_only=True)
    assert "not a picture" in str(refused.value)
    with pytest.raises(ValidationError):
        save(demo.app, anna, HTML_AS_JPG, "cat.jpg")


def test_too_large_files_are_refused(demo, make_user):
    anna = make_user(demo.app, "anna")
    with pytest.raises(ValidationError) as refused:
        save(demo.app, anna, b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1), "big.pdf")
    assert "larger than 10 MB" in str(refused.value)


def test_documents_are_served_as_attachments(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    row = save(demo.app, anna, b"%PDF-1.4\n%%EOF\n", "report.exe")
    assert row.content_type == "application/pdf" and row.filename == "report.pdf"
    response = client_for(demo.app, anna).get(f"/media/{row.id}/{row.filename}")
    assert response.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in response.headers["content-security-policy"]


def test_media_only_for_those_who_may_see_the_object(demo, make_user, client_for):
    anna, bram = make_user(demo.app, "anna"), make_user(demo.app, "bram")
    row = save(demo.app, anna, jpeg_with_gps(), "x.jpg")
    url = f"/media/{row.id}/{row.filename}"
    assert client_for(demo.app, bram).get(url).status_code == 200
    demo.private["1"] = {"anna"}
    assert client_for(demo.app, bram).get(url).status_code == 404
    assert client_for(demo.app, anna).get(url).status_code == 200
    assert client_for(demo.app).get(url, follow_redirects=False).status_code in (303, 403)
    assert client_for(demo.app, anna).get(f"/media/{row.id}/other-name.jpg").status_code == 404


def test_a_persons_photo_is_one_use_of_uploads(app, make_user, client_for):
    anna = make_user(app, "anna")
    with db_session(app) as session:
        row = save_upload(session, app.state.site, upload_file(jpeg_with_gps(), "me.jpg"), anna, "people",
                          "photo", anna.id, images_only=True)
        url = f"/media/{row.id}/{row.filename}"
    assert client_for(app, make_user(app, "bram")).get(url).status_code == 200
    assert client_for(app, make_user(app, "partner", kind="external", role="external")).get(url).status_code == 404
