"""Bulletin board benchmark: 100,000 posts; organet's board page against the bare board page.

    python -m bench.bulletin [--db sqlite|postgresql|both] [--quick]
    python -m bench --only bulletin --db both

Seeds in bulk once (cached in bench/.cache/; delete ``organet_bulletin_<db>.seeded``, or drop the
PostgreSQL database ``organet_bulletin``, to seed again) with the same posts as
``../shared/baseline/bare_board.py seed`` (same generator, same seed): six categories, a year of
posts of which the ones younger than their 7, 30 or 60 days are still on the board. Measured
signed in as a member: the board newest first, one category, and a deep page.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.harness import (
    BASELINE,
    CACHE,
    PYTHON,
    Row,
    bare_module,
    bench_session,
    create_database,
    database_url,
    measure_latency,
    measure_throughput,
    organet_site,
    serve,
)

NAME = "bulletin"
POSTS = 100_000
AUTHORS = 5_000



def seed(url: str, config: Path) -> None:
    """Fill a migrated organet database with the bare reference's posts, by 5,000 colleagues."""
    import random

    import sqlalchemy as sa
    from organet_plugins.bulletin.models import Category, Post

    from organet.app import resolve_config
    from organet.people.models import User
    from organet.schema import upgrade
    from organet.site import build_site

    bare = bare_module("bare_board")  # the same categories, words, locations and dates
    create_database(url)
    site = build_site(resolve_config(config))
    upgrade(site)
    rnd = random.Random(7)  # bare_board.seed's generator: the same sequence gives the same posts
    with site.db.session() as session:
        categories = {}
        for position, name in enumerate(bare.CATEGORIES):
            category = Category(name=name, position=position)
            session.add(category)
            categories[name] = category
        session.flush()
        category_ids = {name: c.id for name, c in categories.items()}
        people = [{"username": f"collega{i}", "email": f"collega{i}@zorg.example", "given_name": "Collega",
                   "tussenvoegsel": "", "surname": str(i), "display_name": f"Collega {i}",
                   "sort_name": f"{i} collega", "kind": "employee", "role": "member", "active": True,
                   "deactivated_by_admin": False, "hr_fields": [], "must_change_password": False}
                  for i in range(AUTHORS)]
        session.execute(sa.insert(User), people)
        first_id = session.scalar(sa.select(sa.func.min(User.id)).where(User.username == "collega0"))
        rows = []
        utc = dt.UTC
        for i in range(POSTS):
            created = (bare.NOW - dt.timedelta(minutes=rnd.randint(0, 60 * 24 * 365))).replace(tzinfo=utc)
            words = rnd.sample(bare.WORDS, 3)
            text = " ".join(rnd.choices(bare.WORDS, k=40))
            rows.append({"category_id": category_ids[rnd.choice(bare.CATEGORIES)],
                         "title": " ".join(words).capitalize(), "text": text, "html": f"<p>{text}</p>",
                         "location": rnd.choice(bare.LOCATIONS), "author_id": first_id + i % AUTHORS,
                         "created_at": created, "updated_at": created,
                         "expires_at": created + dt.timedelta(days=rnd.choice([7, 30, 60])),
                         "expired": False, "hidden": False})
        for start in range(0, POSTS, 10_000):
            session.execute(sa.insert(Post), rows[start:start + 10_000])
    if url.startswith("sqlite"):
        with site.db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with site.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    site.db.dispose()


def _bare_database(kind: str) -> str:
    url = database_url("bare_board", kind)
    marker = CACHE / f"bare_board_{kind}.seeded"
    if not marker.exists():
        create_database(url)
        subprocess.run([PYTHON, str(BASELINE / "bare_board.py"), "seed", url, str(POSTS)], check=True)
        marker.write_text("seeded")
    return url


def run(options: Any) -> list[Row]:
    """Seed (once), serve organet and the bare reference side by side, and measure."""
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    repeat = 1 if options.quick else 3
    seconds = 2 if options.quick else 5
    rows: list[Row] = []
    for kind in kinds:
        config, url = organet_site(NAME, kind, plugins=["bulletin"])
        marker = CACHE / f"organet_{NAME}_{kind}.seeded"
        if not marker.exists():
            seed(url, config)
            marker.write_text("seeded")
        bare_url = _bare_database(kind)
        cookies = bench_session(config, "bench")
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.connect() as connection:
            te_koop = connection.execute(sa.text("SELECT id FROM bulletin_categories WHERE name = 'Te koop'")).scalar()
        engine.dispose()
        pages = [
            ("board, newest first", "/bulletin/", "/board?page=1"),
            ("board, one category", f"/bulletin/?category={te_koop}", "/board?category=Te+koop&page=1"),
            ("board, deep page (page 50)", "/bulletin/?page=50", "/board?page=50"),
        ]
        with serve("organet", "organet.asgi:app", {"ORGANET_CONFIG": str(config)}, ready_path="/healthz") as org, \
                serve("bare", "bare_board:app", {"BARE_DB": bare_url}, app_dir=str(BASELINE),
                      ready_path="/board") as bare:
            for label, organet_path, bare_path in pages:
                bare_latency = measure_latency(bare.url, [bare_path] * 100, repeat=repeat)
                bare_rps = measure_throughput(bare.url, bare_path, seconds=seconds)
                latency = measure_latency(org.url, [organet_path] * 100, repeat=repeat, cookies=cookies)
                rps = measure_throughput(org.url, organet_path, seconds=seconds, cookies=cookies)
                rows.append(Row(NAME, label, kind, latency, rps, org.memory_mb(), bare_latency, bare_rps))
    return rows


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
