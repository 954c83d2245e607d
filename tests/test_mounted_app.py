"""organet inside another Starlette application (examples/mounted_app.py): every URL under the prefix."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from organet.testing import OrganetClient, create_user, fresh_database, site_config

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mounted_app.py"


def _outer_app(tmp_path, plugins=("kudos",)):
    spec = importlib.util.spec_from_file_location("mounted_app_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = site_config(plugins, database_url=fresh_database(plugins, tmp_path), media_dir=str(tmp_path / "m"))
    return module.make_app(config)


def test_outer_routes_and_organet_under_the_prefix(tmp_path):
    outer = _outer_app(tmp_path)
    with OrganetClient(outer) as client:
        assert "To the intranet" in client.get("/").text
        assert client.get("/intranet/healthz").json()["status"] == "ok"
        to_sign_in = client.get("/intranet/kudos/", follow_redirects=False)
        assert to_sign_in.status_code == 303
        assert to_sign_in.headers["location"] == "/intranet/login?next=/intranet/kudos/"
        spec = client.get("/intranet/api/openapi.json").json()
        assert spec["servers"] == [{"url": "/intranet"}] and "/api/kudos/v1/kudos" in spec["paths"]
        assert client.get("/intranet/static/core/organet.css").status_code == 200


def test_signed_in_pages_link_under_the_prefix(tmp_path):
    outer = _outer_app(tmp_path)
    with OrganetClient(outer) as client:
        intranet = outer.routes[1].app
        create_user(intranet, "anna", password="een lange zin als wachtwoord")
        login = client.get("/intranet/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        client.post("/intranet/login", data={"login": "anna", "password": "een lange zin als wachtwoord",
                                             "csrf_token": token})
        page = client.get("/intranet/kudos/")
        assert page.status_code == 200
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', page.text)
        assert links and all(link.startswith("/intranet/") for link in links), links
        assert client.get("/intranet/api/kudos/v1/kudos", headers={"accept": "application/json"}).json()["total"] == 0
