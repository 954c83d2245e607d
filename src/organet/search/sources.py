"""The search sources plugins declare (``register_search_sources``), and rebuilding the index from them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from organet.db import utcnow
from organet.i18n import N_
from organet.plugins import collect
from organet.search.documents import SearchSource, index_many
from organet.search.models import IndexedDocument

if TYPE_CHECKING:
    from organet.site import Site

PERSON_LABEL = N_("People")


def sources(site: Site) -> list[SearchSource]:
    """Every enabled plugin's search sources, in plugin order."""
    return [source for _plugin, source in collect(site.pm, "register_search_sources")]


def kind_labels(site: Site) -> dict[str, str]:
    """Return ``{kind: label}`` in the current language, for headings and filters (cached per site)."""
    from organet.i18n import gettext

    if "search_labels" not in site.state:
        site.state["search_labels"] = {source.kind: source.label for source in sources(site)}
    return {kind: gettext(label) for kind, label in site.state["search_labels"].items()}


def reindex(site: Site, plugin: str | None = None, progress: Callable[[str, int], Any] | None = None,
            batch_size: int = 1000) -> dict[str, int]:
    """Rebuild the documents of every source (or of one plugin's) while search stays online.

    Each batch of documents is written (inserted or updated) and committed in its own
    transaction, so searches keep answering from the index throughout and other writers wait
    at most one batch; at the end, documents of the source that were not written in this run
    (and not indexed by a plugin meanwhile) are deleted. Returns ``{"<plugin>/<kind>": count}``.
    """
    counts: dict[str, int] = {}
    for source in sources(site):
        if plugin is not None and source.plugin != plugin:
            continue
        started = utcnow()
        written: set[int] = set()
        with site.db.session() as reader:
            batch: list[Any] = []
            for doc in source.documents(reader):
                batch.append(doc)
                if len(batch) >= batch_size:
                    written |= _write(site, batch, source, progress)
                    batch = []
            if batch:
                written |= _write(site, batch, source, progress)
        with site.db.session() as session:
            table = IndexedDocument.__table__
            stale = [row_id for row_id in session.scalars(sa.select(table.c.id).where(
                table.c.plugin == source.plugin, table.c.kind == source.kind, table.c.indexed_at < started))
                if row_id not in written]
            for start in range(0, len(stale), 500):
                session.execute(sa.delete(table).where(table.c.id.in_(stale[start:start + 500])))
        counts[f"{source.plugin}/{source.kind}"] = len(written)
    return counts


def _write(site: Site, batch: list[Any], source: SearchSource, progress: Callable[[str, int], Any] | None) -> set[int]:
    with site.db.session() as session:
        ids = index_many(session, batch)
    if progress:
        progress(f"{source.plugin}/{source.kind}", len(batch))
    return ids
