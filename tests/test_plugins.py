"""Plugin machinery: a broken, missing or incompatible plugin stops start-up with one message naming it and the fix."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from organet.app import create_app
from organet.cli import main
from organet.errors import PluginError, StartupError
from organet.plugins import installed_plugins, load_package
from organet.site import build_site
from organet.testing import OrganetClient, fresh_database, site_config

ROOT = Path(__file__).resolve().parents[1]


def start(plugins):
    return build_site(site_config(plugins))


def test_misspelt_hook_implementation_stops_start_up(fake_plugins):
    fake_plugins("typo", """
        from organet import hookimpl

        @hookimpl
        def registr_routes():
            return []
    """)
    with pytest.raises(PluginError) as caught:
        start(["typo"])
    message = str(caught.value)
    assert "'typo'" in message and "registr_routes" in message
    assert "docs/hooks.md" in message and "optionalhook" in message


def test_optional_implementation_of_an_absent_plugins_hook_is_fine(fake_plugins):
    fake_plugins("polite", """
        from organet import hookimpl

        @hookimpl(optionalhook=True)
        def narrowcasting_slides():
            return []
    """)
    site = start(["polite"])
    assert "polite" in site.plugins


def test_plugin_without_the_plugin_it_requires(fake_plugins):
    fake_plugins("needy", requires=("phonebook",))
    with pytest.raises(StartupError) as caught:
        start(["needy"])
    message = str(caught.value)
    assert "'needy'" in message and "phonebook" in message
    assert "organet plugins enable phonebook" in message
    assert "needy" in start(["needy", "phonebook"]).plugins


def test_plugin_made_for_another_organet_version(fake_plugins):
    fake_plugins("oldie", version="2.0", organet=">=9,<10")
    with pytest.raises(PluginError) as caught:
        start(["oldie"])
    message = str(caught.value)
    assert "'oldie'" in message and ">=9,<10" in message
    assert "organet plugins disable oldie" in message


def test_plugin_with_a_version_range_that_is_not_one(fake_plugins):
    fake_plugins("vague", organet="soon")
    with pytest.raises(PluginError, match="not a version range"):
        start(["vague"])


def test_enabled_plugin_that_is_not_installed():
    with pytest.raises(StartupError) as caught:
        start(["ghost"])
    message = str(caught.value)
    assert "'ghost'" in message and "not installed" in message
    assert "organet plugins disable ghost" in message and "phonebook" in message  # lists what is installed


def test_installed_plugin_whose_package_is_gone(fake_plugins):
    fake_plugins("gone", missing=True)
    with pytest.raises(PluginError) as caught:
        start(["gone"])
    assert "'gone'" in str(caught.value) and "could not be imported" in str(caught.value)


def test_plugin_that_fails_to_import(fake_plugins):
    fake_plugins("broken", "import organet_no_such_module\n")
    with pytest.raises(PluginError) as caught:
        start(["broken"])
    message = str(caught.value)
    assert "'broken'" in message and "organet_no_such_module" in message and "disable" in message


def test_plugin_without_plugin_info(fake_plugins):
    fake_plugins("bare", init="TITLE = 'no info'\n")
    with pytest.raises(PluginError, match="PluginInfo"):
        start(["bare"])


def test_plugin_that_raises_in_a_register_hook(fake_plugins):
    fake_plugins("crashy", """
        from organet import hookimpl

        @hookimpl
        def register_navigation():
            raise KeyError("menu")
    """)
    with pytest.raises(PluginError) as caught:
        start(["crashy"])
    assert "'crashy'" in str(caught.value) and "register_navigation" in str(caught.value)


def test_plugin_that_raises_in_on_startup(fake_plugins, tmp_path):
    fake_plugins("grumpy", """
        from organet import hookimpl

        @hookimpl
        def on_startup(app):
            raise ConnectionError("the HR system is down")
    """)
    app = create_app(site_config(["grumpy"], database_url=fresh_database(["grumpy"], tmp_path)))
    try:
        with pytest.raises(StartupError) as caught, OrganetClient(app):
            pass
    finally:
        app.state.site.db.dispose()
    message = str(caught.value)
    assert "'grumpy'" in message and "the HR system is down" in message
    assert "organet plugins disable grumpy" in message


def test_plugin_table_outside_its_prefix_is_refused(fake_plugins):
    fake_plugins("sloppy", """
        import sqlalchemy as sa
        from sqlalchemy.orm import Mapped, mapped_column

        from organet import hookimpl
        from organet.db import Model

        class Thing(Model):
            __tablename__ = "things_sloppy"
            id: Mapped[int] = mapped_column(primary_key=True)

        @hookimpl
        def register_models():
            return [Thing]
    """)
    with pytest.raises(PluginError) as caught:
        start(["sloppy"])
    assert "'things_sloppy'" in str(caught.value) and "sloppy_" in str(caught.value)


def test_two_sites_in_one_process_never_share_hooks(fake_plugins):
    fake_plugins("lonely", """
        from organet import NavEntry, SIGNED_IN, hookimpl

        @hookimpl
        def register_navigation():
            return [NavEntry("Lonely", "core:dashboard", SIGNED_IN)]
    """)
    with_plugin = start(["lonely"])
    without = start([])
    assert any(plugin == "lonely" for plugin, _entry in with_plugin.navigation)
    assert not any(plugin == "lonely" for plugin, _entry in without.navigation)
    assert with_plugin.pm is not without.pm


def test_start_up_error_in_the_cli_is_a_message_and_exit_code_1(tmp_path):
    config = write_config(tmp_path, ["ghost"])
    result = CliRunner().invoke(main, ["-c", str(config), "db", "upgrade"])
    assert result.exit_code == 1
    assert "'ghost'" in result.output and "not installed" in result.output
    assert "Traceback" not in result.output


# --- organet plugins enable / disable ------------------------------------------------------------

CONFIG_WITH_COMMENTS = '''# Intranet of Zorggroep Rivierenland
# Managed by the ICT department; ask before changing.

[site]
name = "Intranet"   # shown in the header
secret_key = "a-long-random-secret-for-tests"
database_url = "sqlite:///organet.db"

[mail]
# host = "smtp.example.org"
sender = "intranet@localhost"

[plugins]
# Phase 1 first; phase 2 after the pilot.
enabled = ["phonebook"]

[plugins.phonebook]
# numbers shown on the profile
show_mobile = true
'''


def write_config(tmp_path, plugins, text=None):
    path = tmp_path / "organet.toml"
    enabled = ", ".join(f'"{p}"' for p in plugins)
    path.write_text(text or f'[site]\nsecret_key = "a-long-random-secret-for-tests"\n'
                            f'database_url = "sqlite:///{tmp_path / "site.db"}"\n'
                            f'[plugins]\nenabled = [{enabled}]\n', encoding="utf-8")
    return path


def test_disabling_an_essential_plugin_fails(tmp_path):
    config = write_config(tmp_path, [])
    for name in ("core", "people", "jobs"):
        result = CliRunner().invoke(main, ["-c", str(config), "plugins", "disable", name])
        assert result.exit_code != 0
        assert f"plugin '{name}' cannot be disabled" in result.output


def test_enable_and_disable_keep_the_files_comments_and_layout(tmp_path):
    config = tmp_path / "organet.toml"
    config.write_text(CONFIG_WITH_COMMENTS, encoding="utf-8")
    runner = CliRunner()
    enabled = runner.invoke(main, ["-c", str(config), "plugins", "enable", "bulletin"])
    assert enabled.exit_code == 0, enabled.output
    text = config.read_text(encoding="utf-8")
    assert 'enabled = ["phonebook", "bulletin"]' in text
    assert text.replace('enabled = ["phonebook", "bulletin"]', 'enabled = ["phonebook"]') == CONFIG_WITH_COMMENTS
    disabled = runner.invoke(main, ["-c", str(config), "plugins", "disable", "bulletin"])
    assert disabled.exit_code == 0, disabled.output
    assert config.read_text(encoding="utf-8") == CONFIG_WITH_COMMENTS


def test_enabling_a_plugin_that_is_not_installed_changes_nothing(tmp_path):
    config = tmp_path / "organet.toml"
    config.write_text(CONFIG_WITH_COMMENTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(config), "plugins", "enable", "ghost"])
    assert result.exit_code != 0 and "'ghost' is not installed" in result.output
    assert config.read_text(encoding="utf-8") == CONFIG_WITH_COMMENTS


# --- every non-essential plugin can be switched off ----------------------------------------------


def non_essential_plugins():
    return sorted(installed_plugins())


def runnable_without(left_out):
    """The installed plugins minus ``left_out`` and whatever needs it."""
    infos = {name: load_package(entry.value.split(":")[0], name_hint=name).info
             for name, entry in installed_plugins().items()}
    keep = {name for name in infos if name != left_out}
    changed = True
    while changed:
        changed = False
        for name in sorted(keep):
            if any(required not in keep for required in infos[name].requires):
                keep.discard(name)
                changed = True
    return sorted(keep)


@pytest.mark.parametrize("left_out", non_essential_plugins())
def test_site_works_with_each_plugin_disabled_in_turn(left_out, make_app, make_user, client_for):
    app = make_app(plugins=runnable_without(left_out))
    client = client_for(app, make_user(app, "anna"))
    home = client.get("/")
    assert home.status_code == 200, home.text
    health = client.get("/healthz")
    assert health.status_code == 200, health.text
    assert left_out not in app.state.site.plugins


# --- plugins use only the public API ---------------------------------------------------------------


def plugin_packages():
    """Each first-party plugin folder and example package, with the import name it is installed under."""
    packages = [(folder, f"organet_plugins.{folder.name}") for folder in sorted((ROOT / "plugins").iterdir())
                if (folder / "__init__.py").is_file()]
    for example in sorted((ROOT / "examples").glob("*/*/__init__.py")):
        packages.append((example.parent, example.parent.name))
    return packages


def imported_modules(path):
    """Yield (line, module, names) for every absolute import in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, [alias.name for alias in node.names]


def import_problems(folder, own):
    problems = []
    for path in sorted(folder.rglob("*.py")):
        where = path.relative_to(ROOT)
        for line, module, names in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "organet" and any(part.startswith("_") for part in parts[1:]):
                problems.append(f"{where}:{line} imports the private module {module}")
            elif parts[0] == "organet" and any(name.startswith("_") and name != "_" for name in names):
                problems.append(f"{where}:{line} imports a private name from {module}")
            elif parts[0] == "organet_plugins" and len(parts) > 1 and f"organet_plugins.{parts[1]}" != own:
                problems.append(f"{where}:{line} imports another plugin: {module}")
            elif module == "organet_plugins" and any(f"organet_plugins.{name}" != own for name in names):
                problems.append(f"{where}:{line} imports another plugin from organet_plugins")
            elif parts[0].startswith("organet_") and parts[0] != "organet_plugins" and parts[0] != own.split(".")[0]:
                problems.append(f"{where}:{line} imports another plugin: {module}")
    return problems


def test_plugins_and_examples_import_only_organets_public_api():
    packages = plugin_packages()
    assert packages, "no plugins found: the test would prove nothing"
    problems = [problem for folder, own in packages for problem in import_problems(folder, own)]
    assert problems == []


def test_the_import_check_catches_private_and_cross_plugin_imports(tmp_path):
    folder = tmp_path / "naughty"
    folder.mkdir()
    (folder / "views.py").write_text("from organet._pipeline import page_endpoint\n"
                                     "from organet_plugins.phonebook.models import Person\n"
                                     "from organet.web import _secret\n"
                                     "from organet_plugins.naughty import models\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        problems = import_problems(folder, "organet_plugins.naughty")
    finally:
        ROOT = saved
    assert len(problems) == 3
