"""One permission-filtered full-text search over every plugin.

Plugins keep their documents current by calling :func:`index` and :func:`remove` in the
transaction of each change, and declare :class:`SearchSource` objects (hook
``register_search_sources``) so that ``organet search reindex`` can rebuild them. See docs/search.md.

    from organet.search import SearchDocument, index, remove

    index(session, SearchDocument(plugin="bulletin", kind="post", object_id=str(post.id),
                                  title=post.title, text=post.body, url=f"/bulletin/{post.id}",
                                  date=post.created_at, visibility="employees", owner_id=post.author_id))
"""

from organet.search.documents import SearchDocument, SearchSource, index, index_many, remove
from organet.search.people import index_person
from organet.search.query import Filters, Hit, Results, highlight, search, suggest, visible
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="search",
    title="Search",
    description="One permission-filtered full-text search over every plugin.",
    version=__version__,
    essential=True,
)

__all__ = ["PLUGIN", "Filters", "Hit", "Results", "SearchDocument", "SearchSource", "highlight", "index",
           "index_many", "index_person", "remove", "search", "suggest", "visible"]
