"""Reservations benchmark: 500 resources and 1,000,000 bookings; the day grid and a booking commit.

    python -m bench.reservations [--db sqlite|postgresql|both] [--quick]
    python -m bench --only reservations --db both

Seeds in bulk once, the same resources and bookings as ../shared/baseline/bare_booking.py
(its own generator, the same seed), cached in bench/.cache/ (delete the files, or drop the
PostgreSQL databases ``organet_reservations`` and ``bare_booking``, to seed again). Then it
serves organet and the bare reference side by side with uvicorn on loopback and measures, signed
in as a member: the day grid of one location (about 83 resources, hours as columns) and a
booking commit (POST of the booking form, a free slot each time: 303 for organet, 201 for bare).
The benchmark's own bookings are deleted afterwards, so runs repeat on the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
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
    database_exists,
    database_url,
    measure_latency,
    measure_throughput,
    organet_site,
    serve,
)

NAME = "reservations"
RESOURCES = 500
BOOKINGS = 1_000_000
DAY = "2026-11-26"
LOCATION = "Delft"
BENCH_TITLE = "Bench booking"



def _rows(bare: Any, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The reference's resources and bookings, generated exactly as bare_booking.seed does."""
    rnd = random.Random(7)
    resources = [dict(id=i + 1, location=bare.LOCATIONS[i % len(bare.LOCATIONS)], name=f"Ruimte {i + 1:03d}",
                      capacity=rnd.choice([2, 4, 6, 8, 12, 20])) for i in range(RESOURCES)]
    keep = min(1.0, n / (len(resources) * len(bare.SLOTS) * 730))
    bookings: list[dict[str, Any]] = []
    day = bare.FIRST_DAY
    while len(bookings) < n:
        for resource in resources:
            for hour, minute, minutes in bare.SLOTS:
                if rnd.random() < keep and len(bookings) < n:
                    start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
                    bookings.append(dict(resource_id=resource["id"], starts_at=start,
                                         ends_at=start + dt.timedelta(minutes=minutes), title="Overleg",
                                         booker=rnd.randint(1, 5000)))
        day += dt.timedelta(days=1)
    return resources, bookings


def seed(url: str, config: Path, n: int) -> None:
    """Migrate an organet database and fill it with the reference's data, in bulk."""
    import sqlalchemy as sa
    from organet_plugins.reservations.models import Booking, Resource
    from tqdm import tqdm

    from organet.app import resolve_config
    from organet.db import utcnow
    from organet.people.models import Group, User
    from organet.schema import upgrade
    from organet.site import build_site

    create_database(url)
    site = build_site(resolve_config(config))
    upgrade(site)
    bare = bare_module("bare_booking")  # the same locations, slots and seed
    resources, bookings = _rows(bare, n)
    now = utcnow()
    postgres = not site.db.is_sqlite
    with site.db.session() as session:
        session.execute(sa.insert(Group.__table__), [
            {"id": i + 1, "slug": f"locatie-{name.lower().replace(' ', '-')}", "name": name, "kind": "location",
             "description": "", "created_at": now} for i, name in enumerate(bare.LOCATIONS)])
        people = []
        for i in range(1, 5001):
            user = User(username=f"collega{i}", email=f"collega{i}@zorg.example", role="member")
            user.set_name("Collega", "", str(i))
            people.append(user)
        session.add_all(people)
        session.flush()
        people_ids = [p.id for p in people]
        location_id = {name: i + 1 for i, name in enumerate(bare.LOCATIONS)}
        session.execute(sa.insert(Resource.__table__), [
            {"id": r["id"], "location_id": location_id[r["location"]], "name": r["name"], "kind": "room",
             "capacity": r["capacity"], "facilities": ["screen"] if r["id"] % 2 else [], "description": "",
             "open_days": "1234567", "access": "everyone", "group_ids": [], "approver_ids": [],
             "max_minutes": 240, "horizon_days": 800, "active": True, "created_at": now} for r in resources])
        # The database's overlap guard is taken off for the bulk load (the data has no overlaps) and put back.
        if postgres:
            session.execute(sa.text("ALTER TABLE reservations_bookings "
                                    "DROP CONSTRAINT reservations_bookings_no_overlap"))
        else:
            triggers = session.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                               "AND tbl_name = 'reservations_bookings'")).scalars().all()
            for name in ("reservations_bookings_no_overlap_insert", "reservations_bookings_no_overlap_update"):
                session.execute(sa.text(f"DROP TRIGGER {name}"))
    table = Booking.__table__
    with tqdm(total=len(bookings), desc="Bookings", unit="row") as bar:
        for start in range(0, len(bookings), 20_000):
            chunk = bookings[start:start + 20_000]
            with site.db.session() as session:
                session.execute(sa.insert(table), [
                    {"resource_id": b["resource_id"], "starts_at": b["starts_at"], "ends_at": b["ends_at"],
                     "title": b["title"], "description": "", "booker_id": people_ids[b["booker"] - 1],
                     "attendee_ids": [], "status": "confirmed", "created_at": now} for b in chunk])
            bar.update(len(chunk))
    with site.db.session() as session:
        if postgres:
            session.execute(sa.text(
                "ALTER TABLE reservations_bookings ADD CONSTRAINT reservations_bookings_no_overlap EXCLUDE USING "
                "gist (resource_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'confirmed')"))
            session.execute(sa.text("ANALYZE"))
        else:
            for sql in triggers:
                session.execute(sa.text(sql))
            session.execute(sa.text("ANALYZE"))
    site.db.dispose()


def _bare_database(kind: str, n: int) -> str:
    url = database_url("bare_booking", kind)
    if not database_exists(url):
        create_database(url)
        subprocess.run([PYTHON, str(BASELINE / "bare_booking.py"), "seed", url, str(n)], check=True)
    return url


def _csrf(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{session_token}".encode(), hashlib.sha256).hexdigest()


def _free_slots(count: int) -> list[tuple[int, dt.date]]:
    """(resource id, day) pairs, a different one each time, from tomorrow on."""
    first = dt.date.today() + dt.timedelta(days=1)
    return [((i % RESOURCES) + 1, first + dt.timedelta(days=i // RESOURCES)) for i in range(count)]


def _clean(organet_url: str, bare_url: str) -> None:
    import sqlalchemy as sa

    for url, statement in ((organet_url, "DELETE FROM reservations_bookings WHERE title = :t"),
                           (bare_url, "DELETE FROM bookings WHERE title = :t")):
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(statement), {"t": BENCH_TITLE})
        engine.dispose()


def run(options: Any) -> list[Row]:
    """Seed (once), serve organet and the bare reference side by side, and measure."""
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    repeat = 1 if options.quick else 3
    seconds = 2 if options.quick else 5
    bookings = 300 if options.quick else 1000
    rows: list[Row] = []
    for kind in kinds:
        config, url = organet_site(NAME, kind, plugins=["reservations"])
        config.write_text(config.read_text() + "\n[plugins.reservations]\ngrid_start_hour = 7\ngrid_end_hour = 20\n")
        marker = CACHE / f"organet_{NAME}_{kind}.seeded"
        if not marker.exists():
            seed(url, config, BOOKINGS)
            marker.write_text(str(BOOKINGS))
        bare_url = _bare_database(kind, BOOKINGS)
        _clean(url, bare_url)
        cookies = bench_session(config, "bench")
        csrf = _csrf("bench-secret", cookies["organet_session"])
        grid = f"/reservations/?location=1&day={DAY}"
        bare_grid = f"/grid?location={LOCATION}&day={DAY}"
        slots = _free_slots(bookings)
        organet_forms = [{"resource": str(r), "day": d.isoformat(), "start": "20:00", "end": "20:45",
                          "title": BENCH_TITLE, "csrf_token": csrf} for r, d in slots]
        bare_forms = [{"resource": str(r), "start": f"{d.isoformat()}T19:00", "end": f"{d.isoformat()}T19:45",
                       "title": BENCH_TITLE, "booker": "bench"} for r, d in slots]
        workers = 2 if kind == "postgresql" else 1
        try:
            with serve("organet", "organet.asgi:app", {"ORGANET_CONFIG": str(config)}, ready_path="/healthz",
                       workers=workers) as org, \
                    serve("bare", "bare_booking:app", {"BARE_DB": bare_url}, app_dir=str(BASELINE),
                          ready_path=bare_grid, workers=workers) as bare:
                bare_latency = measure_latency(bare.url, [bare_grid] * 100, repeat=repeat)
                bare_rps = measure_throughput(bare.url, bare_grid, seconds=seconds)
                latency = measure_latency(org.url, [grid] * 100, repeat=repeat, cookies=cookies)
                rps = measure_throughput(org.url, grid, seconds=seconds, cookies=cookies)
                rows.append(Row(NAME, f"day grid {LOCATION} {DAY} (83 resources)", kind, latency, rps,
                                org.memory_mb(), bare_latency, bare_rps))
                book_paths = ["/reservations/book"] * len(organet_forms)
                org_book = measure_latency(org.url, book_paths, method="POST", data=organet_forms, warmup=0,
                                           cookies=cookies, expect=(303,))
                bare_book = measure_latency(bare.url, ["/book"] * len(bare_forms), method="POST", data=bare_forms,
                                            warmup=0, expect=(201,))
                notes = [f"{org_book.errors} organet and {bare_book.errors} bare bookings refused"] \
                    if org_book.errors or bare_book.errors else []
                # Commits one after another: the sequential rate is 1000 / p50.
                rows.append(Row(NAME, f"booking commit ({len(slots)} free slots, one at a time)", kind, org_book,
                                1000 / org_book.p50, org.memory_mb(), bare_book, 1000 / bare_book.p50, notes))
        finally:
            _clean(url, bare_url)
    return rows


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
