"""Developer tooling for the message catalogues: extract, update and check them, per package.

Every package that ships interface text keeps its catalogues next to its code::

    <package>/locale/messages.pot                    the extracted messages (English msgids)
    <package>/locale/nl/LC_MESSAGES/messages.po      the Dutch translations
    <package>/locale/en/LC_MESSAGES/messages.po      English: empty msgstrs, the msgid is the text

The packages are the core (``src/organet`` without its essential plugins), each essential
plugin (``src/organet/people``, ...), and every installed plugin (``organet_plugins.*`` and
third-party packages such as ``organet_kudos``). Run::

    organet i18n update                  # every package
    organet i18n update --plugin kudos   # one package ("organet" is the core itself)
    python -m organet.i18n_tools kudos   # the same without the CLI

Why extraction in code instead of a ``babel.cfg`` per package: one method map (Python files
with Babel's extractor, ``templates/**.html`` with Jinja2's) serves every package, so a
plugin author needs no configuration file and the completeness test extracts exactly what
``update`` extracts.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import click
import jinja2
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from organet.i18n import LANGUAGES
from organet.plugins import ESSENTIAL_MODULES, installed_plugins

CORE_FOLDER = Path(__file__).parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trim_blocks": "true",
                    "lstrip_blocks": "true", "silent": "false"}
HEADER = "Translations for {name} (organet). English is the msgid; Dutch is in nl/."


@dataclass(frozen=True)
class Package:
    """A folder with its own catalogues: the core, an essential plugin, or an installed plugin."""

    name: str
    folder: Path
    skip: tuple[Path, ...] = ()

    @property
    def locale(self) -> Path:
        """The package's ``locale`` folder."""
        return self.folder / "locale"

    def po_path(self, language: str) -> Path:
        """Where the catalogue of ``language`` lives."""
        return self.locale / language / "LC_MESSAGES" / "messages.po"


def _module_folder(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def packages(extra_folders: Iterable[Path] = ()) -> list[Package]:
    """Return every package with catalogues: the core, essential plugins, installed plugins, ``extra_folders``.

    ``extra_folders`` are plugin package folders that may not be installed (a fresh checkout's
    ``plugins/*``); each is named by its folder.
    """
    essential = {m.rsplit(".", 1)[-1]: CORE_FOLDER / m.rsplit(".", 1)[-1] for m in ESSENTIAL_MODULES}
    found = [Package("organet", CORE_FOLDER, tuple(essential.values()))]
    found += [Package(name, folder) for name, folder in essential.items()]
    seen = {p.folder.resolve() for p in found}
    for name, entry in sorted(installed_plugins().items()):
        folder = _module_folder(entry.value.split(":")[0])
        if folder is not None and folder not in seen:
            found.append(Package(name, folder))
            seen.add(folder)
    for folder in extra_folders:
        folder = folder.resolve()
        if folder not in seen:
            found.append(Package(folder.name, folder))
            seen.add(folder)
    return found


def find_package(name: str) -> Package:
    """Return the package called ``name`` ("organet" for the core); raise ``LookupError`` naming the choices."""
    every = packages()
    for package in every:
        if package.name == name:
            return package
    raise LookupError(f"No package {name!r} with catalogues. Choose one of: {', '.join(p.name for p in every)}.")


def extract(package: Package) -> Catalog:
    """Extract every message from the package's Python files and templates into a new catalogue."""
    catalog = Catalog(project=package.name, header_comment=f"# {HEADER.format(name=package.name)}",
                      fuzzy=False)
    skipped = [str(s.resolve()) for s in package.skip]

    def callback(filename: str, method: str, options: dict[str, str]) -> None:
        return None

    method_map = [("**/tests/**", "ignore"), ("**/migrations/**", "ignore"), ("**.py", "python"),
                  ("**/templates/**.html", "jinja2.ext:babel_extract")]
    options_map = {"**/templates/**.html": TEMPLATE_OPTIONS}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(package.folder), method_map=method_map, options_map=options_map, keywords=KEYWORDS,
            comment_tags=("Translators:",), callback=callback, strip_comment_tags=True):
        path = (package.folder / filename).resolve()
        if any(str(path).startswith(s + "/") for s in skipped):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _read(path: Path, language: str | None) -> Catalog | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, ignore_obsolete=True, sort_output=False)
    path.write_bytes(buffer.getvalue())


def update(package: Package) -> dict[str, int]:
    """Write ``messages.pot`` and update the nl/en catalogues; return how many Dutch msgstrs are missing."""
    template = extract(package)
    if not len(template) and not package.locale.is_dir():
        return {}
    _write(package.locale / "messages.pot", template)
    missing: dict[str, int] = {}
    for language in LANGUAGES:
        path = package.po_path(language)
        catalog = _read(path, language)
        if catalog is None:
            catalog = Catalog(locale=language, project=package.name,
                              header_comment=f"# {HEADER.format(name=package.name)}", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        _write(path, catalog)
        missing[language] = sum(1 for m in untranslated(catalog))
    return missing


def untranslated(catalog: Catalog) -> Iterator[Message]:
    """Yield the messages of ``catalog`` that have no translation yet (or a fuzzy one)."""
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            yield message


def _message_key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def catalogue_problems(package: Package, language: str = "nl") -> list[str]:
    """Return what is missing from a package's catalogue of ``language``, one line per message."""
    template = extract(package)
    if not len(template):
        return []
    catalog = _read(package.po_path(language), language)
    if catalog is None:
        return [f"{package.po_path(language)} does not exist ({len(template)} messages to translate)"]
    problems = []
    todo = {_message_key(m) for m in untranslated(catalog)}
    for message in template:
        if not message.id:
            continue
        key = _message_key(message)
        if catalog.get(message.id) is None:
            problems.append(f"missing msgid {key!r} (from {message.locations[0][0]})")
        elif key in todo:
            problems.append(f"empty or fuzzy msgstr for {key!r}")
    return problems


# --- untranslated text in templates -------------------------------------------------------------

MARK = "\ue000"  # stands for a Jinja construct while the rest is read as HTML
TEXT_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description", "label"})
LETTERS = re.compile(r"[^\W\d_]{2,}")


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "style"} or values.get("translate") == "no":
            if tag not in {"br", "img", "input", "hr", "meta", "link"}:
                self._skip.append(tag)
            return
        for name, value in attrs:
            # A <button>'s value is sent, not shown; an <input type=submit>'s value is its label.
            shown_value = tag == "input" and values.get("type") in {"submit", "button"}
            if (name in TEXT_ATTRIBUTES or (name == "value" and shown_value)) \
                    and value and LETTERS.search(value.replace(MARK, " ")):
                self.found.append((self.getpos()[0], f'{name}="{value.replace(MARK, "…")}"'))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        text = data.replace(MARK, " ").strip()
        if LETTERS.search(text):
            self.found.append((self.getpos()[0], " ".join(text.split())))


def untranslated_template_text(source: str) -> list[tuple[int, str]]:
    """Return ``(line, text)`` for interface text in a template outside ``_()`` and ``{% trans %}``.

    Text nodes and the visible attributes (title, alt, placeholder, aria-label, the value of a
    submit button) count; an element marked ``translate="no"`` is skipped, as HTML intends.
    """
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexed, never rendered
    pieces: list[str] = []
    inside_trans = 0
    for _line, kind, value in environment.lex(source):
        if kind == "data":
            pieces.append(MARK * bool(inside_trans) or value)
        elif kind == "name" and value in {"trans", "pluralize"} and pieces and pieces[-1] == MARK:
            inside_trans += value == "trans"
        elif kind == "name" and value == "endtrans":
            inside_trans = max(0, inside_trans - 1)
        elif kind.endswith("_begin"):
            pieces.append(MARK)
    finder = _TextFinder()
    finder.feed("".join(pieces))
    finder.close()
    return finder.found


def template_problems(package: Package) -> list[str]:
    """Return ``file:line: text`` for each untranslated text in the package's templates."""
    skipped = [s.resolve() for s in package.skip]
    problems = []
    for path in sorted(package.folder.glob("**/templates/**/*.html")):
        if any(path.resolve().is_relative_to(s) for s in skipped) or "tests" in path.parts:
            continue
        for line, text in untranslated_template_text(path.read_text(encoding="utf-8")):
            problems.append(f"{path}:{line}: {text}")
    return problems


@click.group("i18n")
def command() -> None:
    """Message catalogues: extract the interface text and update the Dutch and English catalogues."""


@command.command("update")
@click.option("--plugin", "names", multiple=True, help='A package to update ("organet" is the core); all when omitted.')
def update_command(names: tuple[str, ...]) -> None:
    """Extract messages into <package>/locale/messages.pot and update nl and en messages.po."""
    try:
        chosen = [find_package(name) for name in names] if names else packages()
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    for package in chosen:
        missing = update(package)
        if missing:
            click.echo(f"{package.name:16} {missing['nl']:4} Dutch msgstr(s) to write in {package.po_path('nl')}")


@command.command("check")
@click.option("--plugin", "names", multiple=True, help='A package to check ("organet" is the core); all when omitted.')
def check_command(names: tuple[str, ...]) -> None:
    """Exit 1 when a template holds untranslated text or a Dutch catalogue is incomplete."""
    try:
        chosen = [find_package(name) for name in names] if names else packages()
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    problems = [line for package in chosen for line in (*template_problems(package),
                                                        *catalogue_problems(package))]
    for line in problems:
        click.echo(line)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s). Run `organet i18n update` and translate.")
    click.echo("Every catalogue is complete.")


def main(argv: list[str] | None = None) -> int:
    """``python -m organet.i18n_tools [NAME ...]``: update the catalogues of the named packages (or all)."""
    names = sys.argv[1:] if argv is None else argv
    chosen = [find_package(name) for name in names] if names else packages()
    for package in chosen:
        missing = update(package)
        if missing:
            print(f"{package.name:16} {package.po_path('nl')}: {missing['nl']} Dutch translation(s) to write")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
