"""Search benchmark: 50,000 people and 250,000 other documents; organet's search against the bare FTS5 page.

    python -m bench.search [--db sqlite|postgresql|both] [--quick]
    python -m bench --only search --db both

Seeds in bulk once (cached in bench/.cache/; delete the files, or drop the PostgreSQL database
``organet_search``, to seed again), starts organet and ../shared/baseline/bare_directory.py
side by side with uvicorn on loopback, and measures, signed in as a member of three groups:
a search for the most frequent first name, a search for a word in every tenth document, the
JSON API, and search-as-you-type. The bare reference's /fts page answers the name search.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.harness import (
    BASELINE,
    CACHE,
    Row,
    bare_directory_database,
    bare_module,
    bench_session,
    create_database,
    measure_latency,
    measure_throughput,
    organet_site,
    serve,
)

NAME = "search"
PEOPLE = 50_000
DOCUMENTS = 250_000
GROUPS = 1_000
COMMON_WORD = "zorgplan"  # in every tenth document
KINDS = ("document", "news", "page", "post", "event")
SEED = 7

SYLLABLES = ("zorg ver pleeg kun dig huis arts wond be leid plan ning dienst roos ter werk over leg team "
             "kwa li teit pro to col cli ent me di ca tie af spraak in for ma tie ge zond heid na scho "
             "ling op lei ding ver lof aan vraag for mu lier bu reau lo ca tie af de ling").split()


def _vocabulary(rnd: random.Random, size: int = 20_000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


def _names() -> tuple[list[str], list[str], list[str]]:
    bare = bare_module("bare_directory")  # the same first names, surnames and departments as the bare reference
    return bare.FIRST, bare.LAST, bare.DEPTS


def seed(url: str, config: Path) -> dict[str, Any]:
    """Fill a migrated organet database with people, groups and documents, in bulk. Returns facts for the queries."""
    import sqlalchemy as sa
    from tqdm import tqdm

    from organet.app import resolve_config
    from organet.db import utcnow
    from organet.people.models import Group, Membership, User, full_name, sort_key
    from organet.schema import upgrade
    from organet.search import SearchDocument, index_many
    from organet.site import build_site

    create_database(url)
    site = build_site(resolve_config(config))
    upgrade(site)
    rnd = random.Random(SEED)
    first_names, surnames, departments = _names()
    now = utcnow()
    users = User.__table__
    columns = set(users.c.keys())
    with site.db.session() as session:
        session.execute(sa.insert(Group.__table__), [
            {"id": i + 1, "slug": f"groep-{i + 1}", "name": f"{departments[i % len(departments)]} {i // 10 + 1}",
             "kind": "department", "description": "", "created_at": now} for i in range(GROUPS)])
        people_rows, member_rows, first_seen = [], [], Counter()
        for i in range(1, PEOPLE + 1):
            given, surname = rnd.choice(first_names), rnd.choice(surnames)
            tussen, _, last = surname.rpartition(" ")
            first_seen[given] += 1
            row = {"id": i, "username": f"user{i}", "email": f"user{i}@zorg.example", "given_name": given,
                   "tussenvoegsel": tussen, "surname": last, "display_name": full_name(given, tussen, last),
                   "sort_name": sort_key(last, given), "kind": "employee", "role": "member", "active": True,
                   "created_at": now, "updated_at": now}
            keys = {"given_key": given.lower(), "surname_key": last.lower(), "username_key": f"user{i}",
                    "full_surname_key": surname.lower(), "email_key": f"user{i}@zorg.example"}
            row.update({k: v for k, v in keys.items() if k in columns})
            people_rows.append(row)
            for group in {rnd.randint(1, GROUPS), rnd.randint(1, GROUPS)}:
                member_rows.append({"user_id": i, "group_id": group, "role": "member", "created_at": now})
        session.execute(sa.insert(users), people_rows)
        session.execute(sa.insert(Membership.__table__), member_rows)
        bench_groups = [1, 2, 3]
        session.execute(sa.insert(users), [{**people_rows[0], "id": PEOPLE + 1, "username": "bench",
                                            "email": "bench@bench.example", "given_name": "Bench",
                                            "tussenvoegsel": "", "surname": "Mark", "display_name": "Bench Mark",
                                            "sort_name": "mark bench",
                                            **({"username_key": "bench"} if "username_key" in columns else {}),
                                            **({"email_key": "bench@bench.example"} if "email_key" in columns
                                               else {})}])
        session.execute(sa.insert(Membership.__table__), [
            {"user_id": PEOPLE + 1, "group_id": g, "role": "member", "created_at": now} for g in bench_groups])
    group_names = {i + 1: f"{departments[i % len(departments)]} {i // 10 + 1}" for i in range(GROUPS)}
    by_person: dict[int, list[str]] = {}
    for member in member_rows:
        by_person.setdefault(member["user_id"], []).append(group_names[member["group_id"]])
    vocabulary = _vocabulary(rnd)
    cumulative, total = [], 0.0
    for rank in range(len(vocabulary)):
        total += 1 / (rank + 1)  # Zipf: a few words are everywhere, most are rare
        cumulative.append(total)

    def documents() -> Any:
        for row in people_rows:
            yield SearchDocument(plugin="people", kind="person", object_id=str(row["id"]), title=row["display_name"],
                                 text=f"{row['username']} {row['email']} {row['username']} zorg example "
                                      f"{' '.join(by_person[row['id']])}",
                                 url=f"/people/{row['username']}", owner_id=row["id"])
        for i in range(DOCUMENTS):
            title = " ".join(rnd.choices(vocabulary, cum_weights=cumulative, k=rnd.randint(3, 7))).capitalize()
            words = rnd.choices(vocabulary, cum_weights=cumulative, k=rnd.randint(40, 80))
            if i % 10 == 0:
                words.insert(rnd.randint(0, len(words)), COMMON_WORD)
            visibility = "owner" if i % 20 == 0 else ("groups" if i % 20 in (1, 2, 3) else "employees")
            yield SearchDocument(plugin="search", kind=KINDS[i % len(KINDS)], object_id=str(i), title=title,
                                 text=" ".join(words), url=f"/documents/{i}",
                                 date=now - dt.timedelta(days=rnd.random() * 3 * 365), visibility=visibility,
                                 owner_id=rnd.randint(1, PEOPLE + 1) if visibility != "employees" else None,
                                 group_ids=(rnd.randint(1, GROUPS),) if visibility == "groups" else ())

    postgresql = site.db.engine.dialect.name == "postgresql"
    gin = {"ix_search_documents_tsv": "tsv", "ix_search_documents_title_tsv": "title_tsv"}
    with site.db.session() as session, tqdm(total=PEOPLE + DOCUMENTS, desc="Indexing", unit="doc") as bar:
        if postgresql:  # a bulk load builds GIN indexes faster afterwards than row by row
            for name in gin:
                session.execute(sa.text(f"DROP INDEX {name}"))
        index_many(session, documents(), batch_size=5000, progress=bar.update)
        if postgresql:
            for name, column in gin.items():
                session.execute(sa.text(f"CREATE INDEX {name} ON search_documents USING gin ({column})"))
    if postgresql:
        with site.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with site.db.engine.connect() as connection:
            connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    site.db.dispose()
    frequent = first_seen.most_common(1)[0][0]
    return {"name": frequent}


def run(options: Any) -> list[Row]:
    """Seed (once), serve organet and the bare reference side by side, and measure."""
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    repeat = 1 if options.quick else 3
    seconds = 2 if options.quick else 5
    bare_db = bare_directory_database(PEOPLE)
    rows: list[Row] = []
    for kind in kinds:
        config, url = organet_site(NAME, kind, plugins=[])
        marker = CACHE / f"organet_{NAME}_{kind}.seeded"
        if not marker.exists():
            facts = seed(url, config)
            marker.write_text(facts["name"])
        name = marker.read_text().strip()
        cookies = bench_session(config, "bench")
        prefixes = [name[:3].lower(), name[:2].lower(), COMMON_WORD[:4], "ver", name.lower()]
        searches = {
            f"search page ?q={name} (most frequent first name)": f"/search?q={name}",
            f"search page ?q={COMMON_WORD} (every tenth document)": f"/search?q={COMMON_WORD}",
            f"API ?q={COMMON_WORD}": f"/api/search/v1/search?q={COMMON_WORD}",
        }
        with serve("organet", "organet.asgi:app", {"ORGANET_CONFIG": str(config)}, ready_path="/healthz") as org, \
                serve("bare", "bare_directory:app", {"BARE_DB": str(bare_db)}, app_dir=str(BASELINE),
                      ready_path="/fts?q=jan") as bare:
            bare_latency = measure_latency(bare.url, [f"/fts?q={name}"] * 100, repeat=repeat)
            bare_rps = measure_throughput(bare.url, f"/fts?q={name}", seconds=seconds)
            for label, path in searches.items():
                latency = measure_latency(org.url, [path] * 100, repeat=repeat, cookies=cookies)
                rps = measure_throughput(org.url, path, seconds=seconds, cookies=cookies)
                is_name = "first name" in label
                rows.append(Row(NAME, label, kind, latency, rps, org.memory_mb(),
                                bare_latency if is_name else None, bare_rps if is_name else None))
            suggest_paths = [f"/search/suggest?q={p}" for p in prefixes] * 20
            latency = measure_latency(org.url, suggest_paths, repeat=repeat, cookies=cookies)
            rps = measure_throughput(org.url, f"/search/suggest?q={prefixes[0]}", seconds=seconds, cookies=cookies)
            rows.append(Row(NAME, f"suggest ?q={', '.join(prefixes)}", kind, latency, rps, org.memory_mb(),
                            bare_latency, bare_rps))
    return rows


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
