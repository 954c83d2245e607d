"""CSV exports that a spreadsheet cannot turn into formulas: every plugin writes its CSV through here.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by Excel and LibreOffice; an exported name such as ``=HYPERLINK(...)`` would then
act on the reader's machine. :func:`csv_safe` prefixes such a cell with an apostrophe, the
convention both programs show as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """Return ``value`` as CSV cell text that no spreadsheet runs as a formula.

    ``None`` becomes an empty cell; numbers stay numbers (a negative number is data, not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return a whole CSV document (header first) with every cell passed through :func:`csv_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """Return a CSV download (UTF-8 with a byte-order mark, so that Excel reads accents right)."""
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.") or "export.csv"
    return Response("\ufeff" + csv_text(header, rows), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{safe_name}"'})


__all__ = ["FORMULA_STARTS", "csv_response", "csv_safe", "csv_text"]
