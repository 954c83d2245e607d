"""``organet demo``: a throwaway site with every installed plugin, sample people and known logins."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from organet import demo
from organet.app import create_app
from organet.cli import main
from organet.people.models import Group, User
from organet.testing import OrganetClient


def test_demo_makes_a_site_prints_logins_and_lets_the_admin_sign_in(tmp_path):
    folder = tmp_path / "demo-site"
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--folder", str(folder), "--people", "60"])
    assert result.exit_code == 0, result.output
    for account in demo.ACCOUNTS:
        assert f"  {account.username}" in result.output
    assert demo.PASSWORD in result.output
    assert "second factor is NOT required" in result.output
    assert "http://127.0.0.1:8000/login" in result.output

    app = create_app(folder / "organet.toml")
    with OrganetClient(app) as client:
        client.get("/login")
        signed_in = client.submit("/login", {"login": "admin", "password": demo.PASSWORD}, follow_redirects=False)
        assert signed_in.status_code == 303
        assert client.get("/", headers={"accept-language": "nl"}).status_code == 200
        assert client.get("/admin/").status_code == 200
        with app.state.site.db.session() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 60
            assert session.scalar(sa.select(sa.func.count()).select_from(User).where(User.tussenvoegsel != ""))
            zorg = session.scalar(sa.select(Group).where(Group.slug == "wijkteam-noord"))
            assert zorg.parent.name == "Zorg" and zorg.parent.parent.name == "Raad van Bestuur"
            assert session.scalar(sa.select(User).where(User.username == "partner")).kind == "external"


def test_demo_enables_every_installed_plugin(tmp_path):
    from organet.plugins import installed_plugins

    made = demo.build(tmp_path / "d", people=20, say=lambda line: None)
    assert set(installed_plugins()) <= set(made.site.plugins)
    assert not made.problems, made.problems


def test_demo_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--folder", str(tmp_path)])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert (tmp_path / "precious.txt").exists()


def test_demo_replaces_an_earlier_demo(tmp_path):
    first = demo.build(tmp_path / "d", people=15, say=lambda line: None)
    first.site.db.dispose()
    second = demo.build(tmp_path / "d", people=12, say=lambda line: None)
    assert second.people == 12


def test_a_throwaway_demo_is_removed_when_it_stops_and_a_chosen_folder_is_kept(tmp_path, monkeypatch):
    import uvicorn

    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(options["host"]))  # stops at once
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the throwaway folder goes here
    result = CliRunner().invoke(main, ["demo", "--people", "20", "--port", "8123"])
    assert result.exit_code == 0, result.output
    made = Path(re.search(r"Site folder \(throwaway\): (\S+)", result.output).group(1))
    assert served == ["127.0.0.1"] and not made.exists()
    assert "Removed the demo site" in result.output

    kept = tmp_path / "kept"
    result = CliRunner().invoke(main, ["demo", "--people", "20", "--folder", str(kept)])
    assert result.exit_code == 0, result.output
    assert (kept / "organet.toml").exists()
