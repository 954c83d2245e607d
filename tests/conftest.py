"""Fixtures for the core's own tests: small throw-away plugins installed through a fake entry point."""

from __future__ import annotations

import importlib
import secrets
import sys
import textwrap
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import organet.cli
import organet.plugins
import organet.site


@pytest.fixture
def fake_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Factory: ``fake_plugins("name", hooks_source, requires=("x",))`` installs a plugin package.

    The package is written under tmp_path with a unique import name (``__init__.py`` with
    ``PLUGIN = PluginInfo(name, **info)`` unless ``init`` is given, ``plugin.py`` from
    ``hooks``, and any other ``files``) and registered as the entry point ``name`` next to
    the really installed plugins; returns the import name. ``missing=True`` registers an
    entry point whose module does not exist; ``fake_plugins.uninstall(name)`` removes the entry point.
    """
    folder = tmp_path / "fake_plugins"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    real = organet.plugins.installed_plugins()
    extra: dict[str, EntryPoint] = {}

    def installed() -> dict[str, EntryPoint]:
        return {**real, **extra}

    for module in (organet.plugins, organet.site, organet.cli):
        monkeypatch.setattr(module, "installed_plugins", installed)
    made: list[str] = []

    def factory(name: str, hooks: str = "", *, init: str | None = None, files: dict[str, str] | None = None,
                missing: bool = False, **info: object) -> str:
        import_name = f"fake_{name}_{secrets.token_hex(4)}"
        if not missing:
            package = folder / import_name
            package.mkdir()
            fields = "".join(f", {key}={value!r}" for key, value in info.items())
            texts = {"__init__.py": init if init is not None else
                     f"from organet import PluginInfo\nPLUGIN = PluginInfo(name={name!r}, title={name!r}{fields})\n"}
            if hooks:
                texts["plugin.py"] = hooks
            texts.update(files or {})
            for relative, text in texts.items():
                target = package / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(textwrap.dedent(text), encoding="utf-8")
            made.append(import_name)
        extra[name] = EntryPoint(name=name, value=import_name, group=organet.plugins.ENTRY_POINT_GROUP)
        importlib.invalidate_caches()
        return import_name

    def uninstall(name: str) -> None:
        extra.pop(name, None)

    factory.uninstall = uninstall  # type: ignore[attr-defined]
    yield factory
    for import_name in made:
        for loaded in [m for m in sys.modules if m == import_name or m.startswith(import_name + ".")]:
            del sys.modules[loaded]

