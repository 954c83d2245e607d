"""The catalogues: every template's text goes through _(), every Dutch catalogue is complete.

When one of these fails after you added interface text, run (from anywhere)::

    organet i18n update --plugin NAME     # NAME as in the failure; "organet" is the core itself

then write the Dutch msgstr for each new entry in NAME's locale/nl/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from organet import i18n_tools
from organet.i18n_tools import Package

REPO = Path(__file__).resolve().parents[1]


def _repo_plugin_folders() -> list[Path]:
    folders = [p.parent for p in (REPO / "plugins").glob("*/__init__.py")]
    folders += [p.parent for p in (REPO / "examples").glob("*/*/__init__.py") if p.parent.name != "tests"]
    return folders


def _packages() -> list[Package]:
    inside = [p for p in i18n_tools.packages(_repo_plugin_folders()) if p.folder.is_relative_to(REPO)]
    return inside


PACKAGES = _packages()


@pytest.mark.parametrize("package", PACKAGES, ids=[p.name for p in PACKAGES])
def test_templates_hold_no_untranslated_text(package):
    problems = i18n_tools.template_problems(package)
    assert not problems, (
        "Interface text outside _() in templates:\n  " + "\n  ".join(problems) +
        '\nWrap it as {{ _("...") }} (or {% trans %}...{% endtrans %}); mark names and codes that stay '
        f'as they are with translate="no". Then run `organet i18n update --plugin {package.name}` '
        f"and translate the new entries in {package.po_path('nl')}.")


@pytest.mark.parametrize("package", PACKAGES, ids=[p.name for p in PACKAGES])
def test_dutch_catalogue_is_complete(package):
    problems = i18n_tools.catalogue_problems(package, "nl")
    assert not problems, (
        f"The Dutch catalogue of {package.name!r} is incomplete:\n  " + "\n  ".join(problems[:40]) +
        f"\nRun `organet i18n update --plugin {package.name}` and write each empty msgstr in "
        f"{package.po_path('nl')}.")


def test_finder_reports_text_nodes_and_visible_attributes():
    source = ('<h1>{{ _("Hi") }}</h1><p>Hello {{ name }}</p><a href="{{ u }}" title="Open it">{{ y }}</a>'
              '{% trans %}Fine {{ n }}{% endtrans %}<span translate="no">organet</span><button>↑</button>'
              '<input type="submit" value="Save"><p>{{ a }}: {{ b }}</p><script>var x = 1;</script>')
    found = [text for _line, text in i18n_tools.untranslated_template_text(source)]
    assert found == ["Hello", 'title="Open it"', 'value="Save"']


def test_update_writes_template_and_keeps_translations(tmp_path):
    package_dir = tmp_path / "organet_sample"
    (package_dir / "templates" / "sample").mkdir(parents=True)
    (package_dir / "__init__.py").write_text('from organet.i18n import gettext as _\n\nTEXT = _("Good morning")\n')
    (package_dir / "templates" / "sample" / "page.html").write_text('<p>{{ _("Good evening") }}</p>\n')
    package = Package("sample", package_dir)
    assert i18n_tools.update(package) == {"nl": 2, "en": 2}
    nl = package.po_path("nl")
    translated = 'msgid "Good morning"\nmsgstr "Goedemorgen"'
    nl.write_text(nl.read_text().replace('msgid "Good morning"\nmsgstr ""', translated))
    assert [line.split("'")[1] for line in i18n_tools.catalogue_problems(package)] == ["Good evening"]
    (package_dir / "templates" / "sample" / "page.html").write_text('<p>{{ _("Good night") }}</p>\n')
    assert i18n_tools.update(package)["nl"] == 1
    text = nl.read_text()
    assert 'msgstr "Goedemorgen"' in text and "Good night" in text and "Good evening" not in text
    assert (package_dir / "locale" / "messages.pot").is_file()


def test_i18n_update_command_names_the_packages(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from organet.cli import main

    result = CliRunner().invoke(main, ["i18n", "update", "--plugin", "no-such-package"])
    assert result.exit_code != 0
    assert "Choose one of: organet" in result.output


def test_i18n_check_command_passes_for_a_complete_package_and_names_problems(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from organet.cli import main

    assert CliRunner().invoke(main, ["i18n", "check", "--plugin", "kudos"]).exit_code == 0
    package_dir = tmp_path / "organet_sample"
    (package_dir / "templates" / "sample").mkdir(parents=True)
    (package_dir / "templates" / "sample" / "page.html").write_text("<p>Untranslated</p>\n")
    sample = Package("sample", package_dir)
    monkeypatch.setattr(i18n_tools, "packages", lambda extra=(): [sample])
    result = CliRunner().invoke(main, ["i18n", "check"])
    assert result.exit_code == 1
    assert "page.html:1: Untranslated" in result.output and "organet i18n update" in result.output
