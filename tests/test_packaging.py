"""Packaging: a built wheel holds every package and the files next to the code (templates, migrations, ...)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def packages_on_disk() -> set[str]:
    found = set()
    for root, prefix in ((ROOT / "src" / "organet", "organet"), (ROOT / "plugins", "organet_plugins")):
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root)
            if "tests" in relative.parts:
                continue
            found.add(".".join([prefix, *relative.parts]))
    return found


def test_every_package_is_listed_for_the_wheel():
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    assert listed == packages_on_disk(), "update [tool.setuptools] packages in pyproject.toml"


def test_files_next_to_the_code_are_package_data():
    globs = pyproject()["tool"]["setuptools"]["package-data"]["*"]
    for suffix in ("html", "css", "js", "po", "mako"):
        assert any(g.endswith(f"*.{suffix}") for g in globs), suffix
    assert any("migrations" in g for g in globs)


def test_first_party_plugins_register_through_the_public_entry_point_group():
    entry_points = pyproject()["project"]["entry-points"]["organet"]
    for folder in (ROOT / "plugins").iterdir():
        if (folder / "__init__.py").exists():
            assert entry_points.get(folder.name) == f"organet_plugins.{folder.name}"
