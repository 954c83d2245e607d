"""Querying the index: who may see what (in SQL), full text on SQLite and PostgreSQL, ranking and snippets.

Every query carries the visibility condition of :func:`visible`, so a count, a page or a
suggestion only ever contains what the person may open. For very common words the ranking
works on a bounded set of the best candidates (see docs/search.md, "Common words").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from organet.people.models import Share
from organet.runtime import in_audience
from organet.search.models import Grant, IndexedDocument

if TYPE_CHECKING:
    from organet.site import Site

CANDIDATES = 500
"""At most this many matches (the most recently indexed ones) are ranked, plus as many title matches."""

SUGGEST_CANDIDATES = 200
MAX_WORDS = 8
TITLE_WEIGHT = 10.0
WHOLE = ""

DOCS = IndexedDocument.__table__
GRANTS = Grant.__table__
SHARES = Share.__table__
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    """Narrow a search: only these kinds or plugins (empty: all), only documents dated in [since, until]."""

    kinds: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class Hit:
    """One result: where it links to, what it is, and its highlighted title and snippet (safe HTML)."""

    id: int
    plugin: str
    kind: str
    title: str
    url: str
    date: dt.datetime | None
    score: float
    title_html: Markup = Markup("")
    snippet: Markup = Markup("")


@dataclass
class Results:
    """A page of results, the number of matches (a lower bound when ``capped``) and matches per kind."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    kinds: dict[str, int] = field(default_factory=dict)
    fuzzy: bool = False


def words(query: str) -> list[str]:
    """Split a query into lower-case words (letters and digits only: nothing reaches SQL as syntax)."""
    return [w[:40] for w in _WORD.findall(query.lower()) if w.strip("_")][:MAX_WORDS]


# --- who may see what -------------------------------------------------------------------------


def visible_plugins(site: Site, user: Any) -> set[str]:
    """The enabled plugins whose documents ``user`` may find: essential ones, and the others' audiences."""
    from organet import people

    helper = getattr(people, "visible_plugins", None)
    if helper is not None:
        return set(helper(site, user))
    return {name for name, plugin in site.plugins.items() if plugin.info.essential or in_audience(site, name, user)}


def visible(site: Site, session: Session, user: Any, columns: Any = None) -> sa.ColumnElement[bool]:
    """Return the SQL condition on ``search_documents``: the documents ``user`` may see.

    ``columns`` is where the document's columns come from (``search_documents`` by default; a
    CTE over it on PostgreSQL).

    - nobody signed in, or deactivated: nothing;
    - only plugins that are enabled and whose pilot audience includes ``user``;
    - employees: documents for every employee, documents of groups they are in, their own,
      and documents shared with one of their groups;
    - externals: documents shared with one of their groups (``shared_group_ids`` or a share in
      ``people_shares``), their own, and documents for every employee of a plugin (or kind)
      shared as a whole with one of their groups.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return sa.false()
    plugins = sorted(visible_plugins(site, user))
    groups = sorted(user.group_ids)
    d = DOCS.c if columns is None else columns
    options: list[sa.ColumnElement[bool]] = [d.owner_id == user.id]
    if groups:
        options.append(sa.exists().where(GRANTS.c.document_id == d.id, GRANTS.c.group_id.in_(groups),
                                         GRANTS.c.shared.is_(True) if user.is_external else sa.true()))
        options.append(sa.exists().where(SHARES.c.plugin == d.plugin, SHARES.c.kind == d.kind,
                                         SHARES.c.object_id == d.object_id, SHARES.c.group_id.in_(groups)))
    if not user.is_external:
        options.insert(0, d.visibility == "employees")
    elif groups:
        whole = session.execute(sa.select(SHARES.c.plugin, SHARES.c.kind).where(
            SHARES.c.object_id == WHOLE, SHARES.c.group_id.in_(groups))).all()
        whole_plugins = sorted({p for p, k in whole if k == WHOLE})
        whole_kinds = [sa.and_(d.plugin == p, d.kind == k) for p, k in sorted(set(whole)) if k != WHOLE]
        if whole_plugins or whole_kinds:
            options.insert(0, sa.and_(d.visibility == "employees",
                                      sa.or_(d.plugin.in_(whole_plugins), *whole_kinds)))
    return sa.and_(d.plugin.in_(plugins), sa.or_(*options))


def _filtered(filters: Filters, d: Any) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.kinds:
        clauses.append(d.kind.in_(filters.kinds))
    if filters.plugins:
        clauses.append(d.plugin.in_(filters.plugins))
    if filters.since:
        clauses.append(d.date >= dt.datetime.combine(filters.since, dt.time(), dt.UTC))
    if filters.until:
        clauses.append(d.date < dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), dt.UTC))
    return clauses


# --- full text, per database --------------------------------------------------------------------


Where = Callable[[Any], list[sa.ColumnElement[bool]]]
"""Builds the visibility and filter conditions on a set of document columns."""


class _Dialect:
    """How one database matches, ranks and suggests; the rest of the search is the same everywhere."""

    def prepare(self, session: Session) -> None:
        """Set up the transaction for a search (nothing on SQLite)."""

    def candidates(self, session: Session, terms: list[str], where: Where, title_only: bool) -> list[Any]:
        """The most recently indexed visible matches (at most CANDIDATES): id, kind, relevance, boost, age."""
        raise NotImplementedError

    def suggestions(self, session: Session, terms: list[str], where: Where) -> sa.Select[Any]:
        """The ids of the most recently indexed visible documents whose title words start with ``terms``."""
        raise NotImplementedError

    def bodies(self, session: Session, ids: list[int]) -> dict[int, str]:
        """The text of these documents, for snippets."""
        raise NotImplementedError


class _SQLite(_Dialect):
    """FTS5: ``search_fts`` (title, body) whose rowid is the document id; see docs/search.md."""

    fts = sa.table("search_fts", sa.column("rowid"))

    @staticmethod
    def expression(terms: list[str], title_only: bool = False) -> str:
        # Each word is letters and digits only; quoted, it is a phrase, with * a prefix.
        phrases = " ".join(f'"{t}"*' if len(t) > 1 else f'"{t}"' for t in terms)
        return f"{{title}}: ({phrases})" if title_only else phrases

    def _newest(self, terms: list[str], where: Where, title_only: bool, *columns: Any) -> sa.Select[Any]:
        match = sa.literal_column("search_fts").op("MATCH")(sa.literal(self.expression(terms, title_only)))
        return (sa.select(*columns).select_from(self.fts.join(DOCS, DOCS.c.id == self.fts.c.rowid))
                .where(match, *where(DOCS.c)).order_by(self.fts.c.rowid.desc()))

    def candidates(self, session: Session, terms: list[str], where: Where, title_only: bool) -> list[Any]:
        # FTS5 hands out matches newest rowid first and bm25 is computed only for the rows kept
        # (lower is better; the title counts TITLE_WEIGHT times the body). For title-only
        # candidates it is their title's relevance: the body's part is left out.
        relevance = -sa.func.bm25(sa.literal_column("search_fts"), TITLE_WEIGHT, 1.0)
        age = sa.func.julianday("now") - sa.func.julianday(sa.type_coerce(DOCS.c.date, sa.String))
        return list(session.execute(self._newest(
            terms, where, title_only, DOCS.c.id, DOCS.c.kind, relevance.label("relevance"), DOCS.c.boost,
            age.label("age")).limit(CANDIDATES)).all())

    def suggestions(self, session: Session, terms: list[str], where: Where) -> sa.Select[Any]:
        return self._newest(terms, where, True, DOCS.c.id).limit(SUGGEST_CANDIDATES)

    def bodies(self, session: Session, ids: list[int]) -> dict[int, str]:
        statement = sa.text("SELECT rowid, body FROM search_fts WHERE rowid IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        return {row_id: body or "" for row_id, body in session.execute(statement, {"ids": ids})}


class _PostgreSQL(_Dialect):
    """Generated ``tsvector`` columns: ``tsv`` (title weight A, body B; Dutch or English) and ``title_tsv``."""

    tsv: sa.ColumnClause[Any] = sa.literal_column("search_documents.tsv")
    title_tsv: sa.ColumnClause[Any] = sa.literal_column("search_documents.title_tsv")

    @staticmethod
    def tsquery(terms: list[str]) -> str:
        return " & ".join(f"{t}:*" for t in terms)

    def query(self, terms: list[str]) -> Any:
        text = self.tsquery(terms)
        return sa.func.to_tsquery(sa.literal_column("'dutch'::regconfig"), text).op("||")(
            sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), text))

    def prepare(self, session: Session) -> None:
        # The planner's estimates for these queries are high enough to trigger JIT compilation,
        # which costs more (20-30 ms) than the whole query. And psycopg prepares a statement after
        # its fifth run, after which PostgreSQL may switch to a generic plan that cannot see the
        # words or the person's plugins and groups: 130 ms instead of 10 for a common word.
        session.execute(sa.text("SELECT set_config('jit', 'off', true), "
                                "set_config('plan_cache_mode', 'force_custom_plan', true)"))

    def _newest(self, terms: list[str], where: Where, title_only: bool, limit: int) -> sa.Select[Any]:
        """The newest visible matches. Titles only (as you type, title candidates) use ``title_tsv``.

        For a common word the planner walks the primary key backwards and stops after ``limit``
        visible matches; for a rare one it takes the GIN bitmap and sorts. No index starts with
        ``plugin`` (the unique key is object_id, kind, plugin), so the audience condition is never
        ANDed as a bitmap covering every row.
        """
        if title_only:
            condition = self.title_tsv.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                                                   self.tsquery(terms)))
        else:
            condition = self.tsv.op("@@")(self.query(terms))
        return sa.select(DOCS.c.id).where(condition, *where(DOCS.c)).order_by(DOCS.c.id.desc()).limit(limit)

    def candidates(self, session: Session, terms: list[str], where: Where, title_only: bool) -> list[Any]:
        # Relevance with the whole query for every candidate, title ones included.
        # Weights of D, C, B, A: the body (B) counts 1/TITLE_WEIGHT of the title (A).
        weights: sa.ColumnClause[Any] = sa.literal_column(f"'{{0, 0, {1 / TITLE_WEIGHT}, 1}}'::float4[]")
        relevance = sa.func.ts_rank(weights, self.tsv, self.query(terms))
        age = sa.func.extract("epoch", sa.func.now() - DOCS.c.date) / 86400.0
        ids = self._newest(terms, where, title_only, CANDIDATES).subquery()
        return list(session.execute(
            sa.select(DOCS.c.id, DOCS.c.kind, relevance.label("relevance"), DOCS.c.boost, age.label("age"))
            .where(DOCS.c.id.in_(sa.select(ids.c.id)))).all())

    def suggestions(self, session: Session, terms: list[str], where: Where) -> sa.Select[Any]:
        return self._newest(terms, where, True, SUGGEST_CANDIDATES)

    def bodies(self, session: Session, ids: list[int]) -> dict[int, str]:
        return dict(session.execute(sa.select(DOCS.c.id, DOCS.c.body).where(DOCS.c.id.in_(ids))).all())


def _dialect(session: Session) -> _Dialect:
    return _PostgreSQL() if session.get_bind().dialect.name == "postgresql" else _SQLite()


def has_trigrams(site: Site, session: Session) -> bool:
    """True on PostgreSQL when the pg_trgm extension exists (checked once per worker)."""
    if "search_trigrams" not in site.state:
        found = False
        if session.get_bind().dialect.name == "postgresql":
            found = bool(session.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")))
        site.state["search_trigrams"] = found
    return bool(site.state["search_trigrams"])


# --- searching --------------------------------------------------------------------------------


def _recency(age_days: float | None) -> float:
    if age_days is None:
        return 1.0
    return 1.0 / (1.0 + max(float(age_days), 0.0) / 365.0)


def search(site: Site, session: Session, user: Any, query: str, filters: Filters | None = None,
           page: int = 1, per_page: int = 20, per_kind: int | None = None) -> Results:
    """Search the index as ``user``; return one page of hits (or the best ``per_kind`` hits of each kind).

    Ranking: relevance (title above body) times the plugin's boost times recency (a year-old
    document counts half). Only what ``user`` may see is matched, counted and returned.
    """
    filters = filters or Filters()
    results = Results(query=query)
    terms = words(query)
    if not terms:
        return results
    db = _dialect(session)
    db.prepare(session)

    def where(columns: Any) -> list[sa.ColumnElement[bool]]:
        return [visible(site, session, user, columns), *_filtered(filters, columns)]

    everything = db.candidates(session, terms, where, title_only=False)
    rows: dict[int, Any] = {}
    if len(everything) >= CANDIDATES:  # else every title match is among them already
        rows.update((row.id, row) for row in db.candidates(session, terms, where, title_only=True))
    rows.update((row.id, row) for row in everything)
    if not rows and has_trigrams(site, session):
        rows = {row.id: row for row in _similar(session, terms, where)}
        results.fuzzy = bool(rows)
    scored = sorted(((float(r.relevance or 0) * float(r.boost) * _recency(r.age), r.id, r.kind)
                     for r in rows.values()), key=lambda item: (-item[0], -item[1]))
    results.total = len(scored)
    results.capped = len(everything) >= CANDIDATES
    results.kinds = dict(Counter(kind for _score, _id, kind in scored).most_common())
    if per_kind is not None:
        chosen: list[tuple[float, int, str]] = []
        taken: Counter[str] = Counter()
        for item in scored:
            if taken[item[2]] < per_kind:
                taken[item[2]] += 1
                chosen.append(item)
    else:
        chosen = scored[(page - 1) * per_page: page * per_page]
    results.hits = _hits(session, db, chosen, terms)
    return results


def _similar(session: Session, terms: list[str], where: Where) -> list[Any]:
    """Typo tolerance on PostgreSQL with pg_trgm: titles that look like the query (only when nothing matched)."""
    text = " ".join(terms)
    similarity = sa.func.word_similarity(sa.literal(text), DOCS.c.title)
    return list(session.execute(
        sa.select(DOCS.c.id, DOCS.c.kind, similarity.label("relevance"), DOCS.c.boost,
                  (sa.func.extract("epoch", sa.func.now() - DOCS.c.date) / 86400.0).label("age"))
        .where(sa.literal(text).op("<%")(DOCS.c.title), *where(DOCS.c))
        .order_by(similarity.desc()).limit(CANDIDATES)).all())


def _hits(session: Session, db: _Dialect, chosen: list[tuple[float, int, str]], terms: list[str]) -> list[Hit]:
    if not chosen:
        return []
    ids = [item[1] for item in chosen]
    rows = {r.id: r for r in session.execute(
        sa.select(DOCS.c.id, DOCS.c.plugin, DOCS.c.kind, DOCS.c.title, DOCS.c.url, DOCS.c.date)
        .where(DOCS.c.id.in_(ids)))}
    bodies = db.bodies(session, ids)
    hits = []
    for score, row_id, _kind in chosen:
        row = rows.get(row_id)
        if row is None:
            continue
        hits.append(Hit(id=row.id, plugin=row.plugin, kind=row.kind, title=row.title, url=row.url, date=row.date,
                        score=score, title_html=highlight(row.title, terms, whole=True),
                        snippet=highlight(bodies.get(row.id, ""), terms)))
    return hits


def suggest(site: Site, session: Session, user: Any, query: str, limit: int = 8) -> list[Hit]:
    """Return up to ``limit`` documents whose title has words starting with the query's words (as you type).

    The fast path: titles only, prefix matches, the most recently indexed few hundred candidates,
    ordered by boost and date; always with the visibility condition.
    """
    terms = words(query)
    if not terms:
        return []
    db = _dialect(session)
    db.prepare(session)
    candidates = db.suggestions(session, terms, lambda columns: [visible(site, session, user, columns)]).subquery()
    first = terms[0]
    starts = sa.case((sa.func.lower(DOCS.c.title).like(f"{first}%"), 1), else_=0)
    rows = session.execute(
        sa.select(DOCS.c.id, DOCS.c.plugin, DOCS.c.kind, DOCS.c.title, DOCS.c.url, DOCS.c.date)
        .where(DOCS.c.id.in_(sa.select(candidates.c.id)))
        .order_by(starts.desc(), DOCS.c.boost.desc(), DOCS.c.date.desc(), DOCS.c.title).limit(limit)).all()
    return [Hit(id=r.id, plugin=r.plugin, kind=r.kind, title=r.title, url=r.url, date=r.date, score=0.0)
            for r in rows]


# --- snippets -----------------------------------------------------------------------------------


def highlight(text: str, terms: list[str], width: int = 200, whole: bool = False) -> Markup:
    """Return an excerpt of ``text`` around the first match with the query's words in ``<mark>``.

    Every piece of ``text`` is escaped before the marks are put around the matched words, so
    markup in a document (``<script>``) is shown as text, never run.
    """
    if not text:
        return Markup("")
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE) if terms else None
    excerpt = text
    prefix = suffix = ""
    if not whole and len(text) > width:
        found = pattern.search(text) if pattern else None
        start = max(0, (found.start() if found else 0) - width // 4)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 20 else start
            prefix = "…"
        excerpt = text[start:start + width]
        if start + width < len(text):
            suffix = "…"
    parts: list[str] = [str(escape(prefix))]
    last = 0
    for found in (pattern.finditer(excerpt) if pattern else ()):
        parts.append(str(escape(excerpt[last:found.start()])))
        parts.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    parts.append(str(escape(excerpt[last:])))
    parts.append(str(escape(suffix)))
    return Markup("".join(parts))  # noqa: S704 - every part above is escaped
