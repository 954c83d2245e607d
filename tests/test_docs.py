"""The docs: the generated references match the code, and the tutorial's code is the example's tested code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from organet import docs

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "organet-kudos"


@pytest.mark.parametrize("page", sorted(docs.PAGES))
def test_generated_reference_is_up_to_date(page):
    current = (DOCS / page).read_text(encoding="utf-8") if (DOCS / page).exists() else ""
    assert current == docs.PAGES[page](), (
        f"docs/{page} is stale: a hookspec or a declared setting changed since it was generated.\n"
        f"Regenerate it with `{docs.REGENERATE}` (or `python -m organet.docs`) and commit docs/{page}.")


def test_every_hook_is_documented():
    text = docs.hooks_markdown()
    for _owner, module in docs.hookspec_modules():
        for name, function, _options in docs._hookspecs(module):
            assert function.__doc__ and function.__doc__.strip(), f"hookspec {name} has no docstring"
            assert f"### {name}\n" in text


def test_rst_becomes_markdown():
    text = docs.rst_to_markdown('''Return a :class:`organet.types.Setting` named ``x``.

    Example::

        @hookimpl
        def register_settings():
            return []

    .. versionadded:: 0.1
    ''')
    assert "Return a `organet.types.Setting` named `x`." in text
    assert "Example:\n\n```python\n@hookimpl\ndef register_settings():\n    return []\n```" in text
    assert "*Added in organet 0.1.*" in text


def _code_blocks(markdown: str) -> list[tuple[str, str]]:
    """Return (file, code) for each fenced block that names its source file on the line before it."""
    pattern = re.compile(r"<!-- from (?P<file>[^ ]+) -->\n```[a-z]*\n(?P<code>.*?)```", re.S)
    return [(match["file"], match["code"]) for match in pattern.finditer(markdown)]


def test_tutorial_code_is_the_tested_example_code():
    tutorial = (DOCS / "writing-plugins.md").read_text(encoding="utf-8")
    blocks = _code_blocks(tutorial)
    assert len(blocks) >= 8, "the tutorial shows the example's files with <!-- from path --> markers"
    for filename, code in blocks:
        source = (EXAMPLE / filename).read_text(encoding="utf-8")
        assert code in source, (f"docs/writing-plugins.md shows code that is not in examples/organet-kudos/"
                                f"{filename}; copy the block from the file again:\n{code}")
