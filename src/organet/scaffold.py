"""``organet plugins new NAME``: write a working plugin package, with a page, a template and a test.

The skeleton is the smallest plugin that shows every convention: metadata in ``__init__``,
hookimpls in ``plugin.py``, a view, a template that extends the layout, a permission, a
navigation entry, an empty migrations folder, a Dutch catalogue and a test using
``organet.testing``. ``pip install -e`` it, enable it, and its test passes as written.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

import click

from organet.types import PLUGIN_NAME

FILES: dict[str, str] = {
    "pyproject.toml": '''[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "organet-$dashed"
version = "0.1.0"
description = "$title: an organet plugin."
requires-python = ">=3.11"
dependencies = ["organet>=0.1,<1"]

# This line makes organet find the plugin: `organet plugins list` shows it once installed.
[project.entry-points.organet]
$name = "organet_$name"

[tool.setuptools]
packages = ["organet_$name"]
include-package-data = true

[tool.setuptools.package-data]
organet_$name = ["templates/**/*.html", "locale/**/*.po", "migrations/versions/*.py"]

[tool.pytest.ini_options]
addopts = "--import-mode=importlib --strict-markers --strict-config -p no:cacheprovider"
testpaths = ["tests"]
xfail_strict = true
filterwarnings = ["error"]
''',
    "README.md": '''# organet-$dashed

$title: an organet plugin.

```sh
pip install -e .                      # registers the "$name" entry point
organet plugins enable $name          # in your site's folder
organet db upgrade                    # after you added models and a migration
pytest                                # runs tests/ against a fresh test site
```

Add interface text with `_()`, then `organet i18n update --plugin $name` and translate
`organet_$name/locale/nl/LC_MESSAGES/messages.po`. See organet's docs/writing-plugins.md.
''',
    "organet_$name/__init__.py": '''"""$title: an organet plugin."""

from organet import PluginInfo

PLUGIN = PluginInfo(
    name="$name",
    title="$title",
    description="$title: an organet plugin.",
    version="0.1.0",
    phase=1,
    organet=">=0.1,<1",
)
''',
    "organet_$name/plugin.py": '''"""The $name plugin's hook implementations: what it declares to organet."""

from __future__ import annotations

from organet import NavEntry, Page, Permission, hookimpl
from organet.i18n import N_
from organet_$name import views

VIEW = "view-$dashed"


@hookimpl
def register_permissions() -> list[Permission]:
    return [Permission(VIEW, N_("Open $title"), default_roles=("admin", "editor", "member"))]


@hookimpl
def register_routes() -> list[Page]:
    return [Page("/", views.index, name="index", permission=VIEW)]


@hookimpl
def register_navigation() -> list[NavEntry]:
    return [NavEntry(N_("$title"), "$name:index", permission=VIEW)]
''',
    "organet_$name/views.py": '''"""The $name plugin's pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from organet import web
from organet.i18n import gettext as _


def index(request: Request) -> Response:
    """The plugin's front page at /$name/."""
    return web.render(request, "$name/index.html", {"title": _("$title")})
''',
    "organet_$name/templates/$name/index.html": '''{% extends "layout.html" %}
{% block content %}
<h1>{{ title }}</h1>
<p>{{ _("Hello %(name)s, this page comes from a new plugin.", name=request.state.user.name) }}</p>
{% endblock %}
''',
    "organet_$name/migrations/versions/README.md": '''Alembic revisions of this plugin.
After adding models (tables named `${name}_<plural>`) and returning them from
`register_models`, write one with:

    organet db revision --plugin $name -m "create ${name} tables"
''',
    "organet_$name/locale/nl/LC_MESSAGES/messages.po": '''# Dutch translations for $name.
# Update with: organet i18n update --plugin $name
msgid ""
msgstr ""
"Project-Id-Version: $name 0.1.0\\n"
"Language: nl\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Open $title"
msgstr "$title openen"

msgid "$title"
msgstr "$title"

msgid "Hello %(name)s, this page comes from a new plugin."
msgstr "Hallo %(name)s, deze pagina komt uit een nieuwe plug-in."
''',
    "tests/test_$name.py": '''"""Tests for the $name plugin, with organet.testing's fixtures (a fresh site per test)."""

from __future__ import annotations


def test_member_sees_the_page(make_app, make_user, client_for):
    app = make_app(plugins=["$name"])
    anna = make_user(app, "anna", role="member")
    response = client_for(app, anna).get("/$name/")
    assert response.status_code == 200
    assert "this page comes from a new plugin" in response.text


def test_page_is_in_dutch_for_dutch_browsers(make_app, make_user, client_for):
    app = make_app(plugins=["$name"])
    page = client_for(app, make_user(app, "anna")).get("/$name/", headers={"accept-language": "nl"})
    assert "deze pagina komt uit een nieuwe plug-in" in page.text


def test_anonymous_visitors_are_sent_to_sign_in(make_app, client_for):
    app = make_app(plugins=["$name"])
    response = client_for(app).get("/$name/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
''',
}


def write_skeleton(name: str, folder: Path, title: str | None = None) -> list[Path]:
    """Write the plugin ``name`` into ``folder`` (which must not exist yet); return the files written."""
    if not PLUGIN_NAME.match(name):
        raise ValueError(f"{name!r} is not a plugin name: use lower case letters, digits and underscores, "
                         "starting with a letter, for example: kudos or room_signs.")
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} exists and is not empty; choose another folder or remove it.")
    values = {"name": name, "dashed": name.replace("_", "-"),
              "title": title or name.replace("_", " ").capitalize()}
    written = []
    for relative, text in FILES.items():
        path = folder / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(text).substitute(values), encoding="utf-8")
        written.append(path)
    return written


@click.command("new")
@click.argument("name")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write it; ./organet-NAME by default.")
@click.option("--title", default=None, help="The plugin's title, as people see it.")
def command(name: str, folder: Path | None, title: str | None) -> None:
    """Write a new plugin package NAME with a page, a template, a test and a Dutch catalogue."""
    target = folder or Path(f"organet-{name.replace('_', '-')}")
    try:
        written = write_skeleton(name, target, title)
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"  wrote {path}")
    click.echo(f"\nNext:\n  pip install -e {target}\n  organet plugins enable {name}\n  pytest {target}")
