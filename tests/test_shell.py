"""The page shell: landmarks, branding set by an admin, languages, and error pages with a reference."""

from __future__ import annotations

import logging
import re
import sys
from importlib.metadata import EntryPoint

import pytest

import organet.plugins
import organet.site
from organet.testing import OrganetClient

BOOM_PLUGIN = '''
from organet import PUBLIC, SIGNED_IN, ApiRoute, Page, PluginInfo, hookimpl

PLUGIN = PluginInfo(name="boom", title="Boom")


def explode(request):
    raise RuntimeError("secret internals: password=hunter2")


@hookimpl
def register_routes():
    return [Page("/", explode, name="explode", permission=SIGNED_IN)]


@hookimpl
def register_api_routes():
    return [ApiRoute("/explode", explode, name="explode", permission=PUBLIC)]
'''


@pytest.fixture
def boom_plugin(tmp_path, monkeypatch):
    """Install a plugin named "boom" whose page and API route raise."""
    (tmp_path / "organet_boom.py").write_text(BOOM_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    real = organet.plugins.installed_plugins()

    def installed():
        return {**real, "boom": EntryPoint(name="boom", value="organet_boom", group="organet")}

    monkeypatch.setattr(organet.plugins, "installed_plugins", installed)
    monkeypatch.setattr(organet.site, "installed_plugins", installed)
    yield "boom"
    sys.modules.pop("organet_boom", None)


def test_page_has_skip_link_landmarks_and_no_inline_styles(app, make_user, client_for):
    html = client_for(app, make_user(app, "anna")).get("/").text
    assert re.search(r'<a class="skip-link" href="#main">', html)
    for landmark in ('<header class="site-header"', "<nav ", '<main id="main"', '<footer class="site-footer"'):
        assert landmark in html
    assert 'role="search"' in html
    assert " style=" not in html and "<style" not in html


def test_admin_sets_name_and_colours_applied_through_the_stylesheet(app, make_user, client_for):
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.get("/admin/branding").status_code == 200
    response = admin.submit("/admin/branding", {"site_name": "Intranet Zorggroep", "logo_url": "",
                                                "brand_colour": "#22543d", "brand_text_colour": "#ffffff"},
                            follow_redirects=False)
    assert response.status_code == 303
    css = client_for(app).get("/branding.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--brand: #22543d;" in css.text and "--brand-text: #ffffff;" in css.text
    page = client_for(app, make_user(app, "anna")).get("/").text
    assert "Intranet Zorggroep" in page and "/branding.css" in page


def test_unreadable_colour_pair_is_refused(app, make_user, client_for):
    admin = client_for(app, make_user(app, "root", role="admin"))
    response = admin.submit("/admin/branding", {"site_name": "X", "logo_url": "", "brand_colour": "#ffff00",
                                                "brand_text_colour": "#ffffff"})
    assert response.status_code == 422
    assert "4.5:1" in response.text
    injected = admin.submit("/admin/branding", {"site_name": "X", "logo_url": "https://evil.example/x.png",
                                                "brand_colour": "red;}body{display:none",
                                                "brand_text_colour": "#ffffff"})
    assert injected.status_code == 422
    assert "red;" not in client_for(app).get("/branding.css").text


def test_branding_is_for_admins_only(app, make_user, client_for):
    member = client_for(app, make_user(app, "anna"))
    assert member.get("/admin/branding").status_code == 403
    assert member.submit("/admin/branding", {"site_name": "Mine"}).status_code == 403


def test_script_in_site_name_is_inert(app, make_user, client_for):
    admin = client_for(app, make_user(app, "root", role="admin"))
    admin.submit("/admin/branding", {"site_name": "<script>alert(1)</script>", "logo_url": "",
                                     "brand_colour": "#0b5394", "brand_text_colour": "#ffffff"})
    page = admin.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_language_from_browser_then_cookie_then_profile(app, make_user, client_for):
    anonymous = client_for(app)
    assert '<html lang="en">' in anonymous.get("/login", headers={"accept-language": "en-GB,en;q=0.9"}).text
    assert '<html lang="nl">' in anonymous.get("/login", headers={"accept-language": "nl-NL"}).text
    assert "Inloggen" in anonymous.get("/login", headers={"accept-language": "nl-NL"}).text
    anonymous.submit("/language", {"language": "en", "next": "/login"})
    assert '<html lang="en">' in anonymous.get("/login", headers={"accept-language": "nl"}).text
    anna = client_for(app, make_user(app, "anna"))
    anna.submit("/language", {"language": "en", "next": "/"})
    assert "Welcome" in client_for(app, _reload(app, "anna")).get("/", headers={"accept-language": "nl"}).text


def _reload(app, username):
    from organet.people.models import User
    from organet.testing import db_session

    with db_session(app) as session:
        person = session.query(User).filter_by(username=username).one()
        session.expunge(person)
        return person


def test_error_page_has_a_reference_in_the_layout_and_the_log(boom_plugin, make_app, make_user, client_for, caplog):
    app = make_app(plugins=[boom_plugin])
    client = OrganetClient(app, raise_server_exceptions=False)
    client.cookies = client_for(app, make_user(app, "anna")).cookies
    with caplog.at_level(logging.ERROR, logger="organet"):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert '<main id="main"' in response.text
    reference = re.search(r"<strong>([0-9A-F]{8})</strong>", response.text).group(1)
    assert reference in caplog.text
    assert "Traceback" not in response.text and "hunter2" not in response.text


def test_api_error_is_json_with_code_and_message(boom_plugin, make_app, client_for):
    app = make_app(plugins=[boom_plugin])
    response = OrganetClient(app, raise_server_exceptions=False).get("/api/boom/v1/explode")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "server_error" and "reference" in error["message"]
    assert "hunter2" not in response.text
    missing = client_for(app).get("/api/boom/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_page_not_found_speaks_the_browsers_language(app, client_for):
    dutch = client_for(app).get("/no/such/page", headers={"accept-language": "nl-NL,nl;q=0.9"})
    assert dutch.status_code == 404
    assert "Pagina niet gevonden" in dutch.text and '<html lang="nl">' in dutch.text
    english = client_for(app).get("/no/such/page", headers={"accept-language": "en"})
    assert "Page not found" in english.text


def test_admin_form_round_trips_a_list_setting(make_app, make_user, client_for):
    app = make_app(plugins=["phonebook"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    page = admin.get("/admin/plugins/phonebook").text
    shown = re.search(r'name="setting\.editable_fields" value="([^"]*)"', page).group(1)
    assert "[" not in shown and ", " in shown
    numbers = re.search(r'name="setting\.new_colleague_days" value="([^"]*)"', page).group(1)
    saved = admin.submit("/admin/plugins/phonebook", {"setting.editable_fields": shown,
                                                      "setting.new_colleague_days": numbers},
                         follow_redirects=False)
    assert saved.status_code == 303
    assert app.state.site.setting("phonebook", "editable_fields") == shown.split(", ")


def _picture(kind: str = "PNG") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 83, 148)).save(out, kind)
    return out.getvalue()


def test_admin_uploads_a_logo_that_everyone_sees_and_a_replaced_one_is_gone(app, make_user, client_for):
    admin = client_for(app, make_user(app, "root", role="admin"))
    colours = {"site_name": "Intranet", "logo_url": "", "brand_colour": "#22543d", "brand_text_colour": "#ffffff"}
    response = admin.submit("/admin/branding", colours, files={"logo_file": ("logo.png", _picture(), "image/png")},
                            follow_redirects=False)
    assert response.status_code == 303
    page = client_for(app, make_user(app, "anna")).get("/").text
    first = re.search(r'<img class="site-logo" src="(/branding/logo/[^"]+)"', page).group(1)
    # The sign-in page shows it too, so anyone may fetch it.
    shown = client_for(app).get(first)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert first in client_for(app).get("/login").text

    replacement = {"logo_file": ("new.jpg", _picture("JPEG"), "image/jpeg")}
    response = admin.submit("/admin/branding", colours, files=replacement, follow_redirects=False)
    assert response.status_code == 303
    second = re.search(r'<img class="site-logo" src="(/branding/logo/[^"]+)"',
                       client_for(app, make_user(app, "bram")).get("/").text).group(1)
    assert second != first
    assert client_for(app).get(first).status_code == 404  # the replaced logo is deleted
    assert client_for(app).get(second).status_code == 200


def test_a_logo_that_is_no_picture_is_refused_and_other_uploads_are_not_served_as_logos(app, make_user, client_for):
    admin = client_for(app, make_user(app, "root", role="admin"))
    colours = {"site_name": "Intranet", "logo_url": "", "brand_colour": "#22543d", "brand_text_colour": "#ffffff"}
    refused = admin.submit("/admin/branding", colours,
                           files={"logo_file": ("logo.png", b"<script>alert(1)</script>", "image/png")})
    assert refused.status_code == 422
    assert "JPEG, PNG, GIF or WebP" in refused.text
    assert 'class="site-logo"' not in refused.text
    # Another upload (a picture on someone's post) is not reachable through the logo address.
    import io

    from starlette.datastructures import UploadFile

    from organet.content import save_upload
    from organet.testing import db_session

    carla = make_user(app, "carla")
    with db_session(app) as session:
        private = save_upload(session, app.state.site, UploadFile(io.BytesIO(_picture()), filename="private.png"),
                              carla, "demo", "post", "7", images_only=True)
        private_id, name = private.id, private.filename
    assert client_for(app).get(f"/branding/logo/{private_id}/{name}").status_code == 404
