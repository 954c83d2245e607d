"""Hostile input for tests: the values every form must survive, and the check that none comes back live.

Plugins register their forms with the ``register_forms`` hook; ``tests/test_hostile_input.py``
(and a plugin's own tests, through :func:`check_form`) submits each hostile value to each
free-text field and then reads the pages that show the result.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette

from organet.types import FormSpec

HOSTILE_VALUES: dict[str, str] = {
    "script": "<script>alert('organet-xss')</script>",
    "attribute": '"><img src=x onerror=alert(\'organet-xss\')>',
    "svg": "<svg onload=alert('organet-xss')></svg>",
    "javascript-url": "javascript:alert('organet-xss')",
    "markdown-link": "[click](javascript:alert('organet-xss'))",
    "formula": "=HYPERLINK(\"http://evil.example\",\"organet-xss\")",
    "path-traversal": "../../../../etc/passwd",
    "right-to-left": "invoice\u202egpj.exe organet",
    "nul-byte": "organet\x00nul",
    "long": "organet " + "x" * (1024 * 1024),
}

# What would run if it came back unescaped: a script tag, an event handler, a javascript: link.
LIVE_MARKUP = re.compile(
    r"<script>alert\('organet-xss'\)|<img src=x onerror=|<svg onload=|href=\"javascript:|href='javascript:",
    re.IGNORECASE,
)


def live_markup(html: str) -> list[str]:
    """Return the pieces of ``html`` where hostile input came back as live markup."""
    return [match.group(0) for match in LIVE_MARKUP.finditer(html)]


def check_form(app: Starlette, spec: FormSpec, client: Any, user: Any) -> list[str]:
    """Submit every hostile value to every field of ``spec``; return the problems found (empty: fine)."""
    problems: list[str] = []
    prepared = spec.prepare(app, user) if spec.prepare else {}
    path_params = prepared.get("path", {})
    base_data = {**spec.defaults, **prepared.get("data", {})}
    url = str(app.url_path_for(spec.route, **path_params))
    for field_name in spec.fields:
        for label, value in HOSTILE_VALUES.items():
            response = client.request(spec.method, url, data={**base_data, field_name: value,
                                                               "csrf_token": client.csrf})
            if response.status_code >= 500:
                problems.append(f"{spec.route} {field_name}={label}: HTTP {response.status_code}")
                continue
            for path in [response.url.path if response.url else url, *spec.shown_at]:
                page = client.get(path.format(**path_params))
                if page.status_code >= 500:
                    problems.append(f"{spec.route} {field_name}={label}: {path} answers {page.status_code}")
                for piece in live_markup(page.text):
                    problems.append(f"{spec.route} {field_name}={label}: live markup at {path}: {piece[:60]}")
    return problems
