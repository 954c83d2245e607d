"""``organet search reindex``: rebuild the index from every plugin's search sources, with a progress bar."""

from __future__ import annotations

import sys

import click

from organet.cli import SiteContext, friendly, pass_site


@click.group()
def search() -> None:
    """The search index."""


@search.command("reindex")
@click.option("--plugin", default=None, help="Rebuild only this plugin's documents.")
@pass_site
@friendly
def reindex_command(ctx: SiteContext, plugin: str | None) -> None:
    """Rebuild the search index while search stays online."""
    from tqdm import tqdm

    from organet.search.sources import reindex, sources

    site = ctx.site
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    if plugin is not None and plugin not in site.plugins:
        raise click.ClickException(f"Plugin {plugin!r} is not enabled on this site; "
                                   f"enabled: {', '.join(sorted(site.plugins))}.")
    if plugin is not None and not any(s.plugin == plugin for s in sources(site)):
        raise click.ClickException(f"Plugin {plugin!r} declares no search sources (register_search_sources).")
    with tqdm(desc="Indexing", unit="doc", disable=not sys.stderr.isatty()) as bar:
        def progress(name: str, count: int) -> None:
            bar.set_postfix_str(name)
            bar.update(count)

        counts = reindex(site, plugin, progress)
    for name, count in counts.items():
        click.echo(f"{name:30} {count} documents")
