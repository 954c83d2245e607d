"""Run the benchmarks: ``python -m bench [--only NAME] [--db sqlite|postgresql|both] [--quick]``.

Each benchmark module in bench/ has ``NAME`` and ``run(options) -> list[Row]``; data is
seeded in bulk once and cached under bench/.cache/. The table is printed and, with --write,
stored in docs/performance.md with the command that produced it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.harness import ROOT, Row, machine_speed, table


def discover() -> dict[str, object]:
    """Return every benchmark module in bench/ by its NAME."""
    found = {}
    for module_info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module_info.name.startswith("_") or module_info.name in {"harness"}:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return found


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the chosen benchmarks and print (and optionally write) the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="fewer requests, for a smoke run")
    parser.add_argument("--write", action="store_true", help="store the table in docs/performance.md")
    options = parser.parse_args(argv)
    benchmarks = discover()
    chosen = options.only or sorted(benchmarks)
    unknown = [name for name in chosen if name not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(sorted(benchmarks))}")
    rows: list[Row] = []
    for name in chosen:
        print(f"== {name}", file=sys.stderr)
        rows.extend(benchmarks[name].run(options))  # type: ignore[attr-defined]
    result = table(rows) + "\n\n" + machine_speed()
    print(result)
    if options.write:
        command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
        section = (f"\n## {dt.date.today().isoformat()}: `{command.strip()}`\n\n{result}\n")
        target = ROOT / "docs" / "performance.md"
        existing = target.read_text() if target.exists() else "# Performance\n"
        target.write_text(existing.rstrip() + "\n" + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
