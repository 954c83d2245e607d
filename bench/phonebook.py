"""Phonebook benchmark: 50,000 people; organet's directory search and person page against the bare FTS5 page.

    python -m bench.phonebook [--db sqlite|postgresql|both] [--quick]
    python -m bench --only phonebook --db both

Seeds in bulk once (cached in bench/.cache/; delete ``organet_phonebook_<db>.seeded``, or drop the
PostgreSQL database ``organet_phonebook``, to seed again) with the same names, phone numbers,
departments and expertise as ``../shared/baseline/bare_directory.py seed`` (same generator, same
seed), starts organet and the bare reference side by side with uvicorn on loopback, and measures
signed in as a member of one department: the directory search for the most frequent first name
(the bare /fts page answers the same query), a surname without its tussenvoegsel, the last four
digits of a phone number, results as you type, and person pages.
"""

from __future__ import annotations

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

NAME = "phonebook"
PEOPLE = 50_000
SEED = 7  # bare_directory.seed uses random.Random(7): the same sequence gives the same people
JOB_TITLES = ["Verpleegkundige", "Wijkverpleegkundige", "Verzorgende IG", "Teamleider", "Psycholoog",
              "Fysiotherapeut", "Secretaresse", "Functioneel beheerder", "Beleidsmedewerker", "Arts"]
LOCATIONS = ["Utrecht", "Amersfoort", "Zeist", "Nieuwegein", "Houten"]



def seed(url: str, config: Path) -> dict[str, Any]:
    """Fill a migrated organet database with the bare reference's 50,000 people and their phonebook data."""
    import sqlalchemy as sa
    from organet_plugins.phonebook import directory
    from organet_plugins.phonebook.models import Expertise, Profile

    from organet.app import resolve_config
    from organet.db import utcnow
    from organet.people.models import Group, Membership, User, full_name, sort_key
    from organet.schema import upgrade
    from organet.site import build_site

    bare = bare_module("bare_directory")  # the same names, departments and skills
    create_database(url)
    site = build_site(resolve_config(config))
    upgrade(site)
    rnd, extra = random.Random(SEED), random.Random(SEED + 1)
    now = utcnow()
    departments = {name: i + 1 for i, name in enumerate(bare.DEPTS)}
    locations = {name: len(departments) + i + 1 for i, name in enumerate(LOCATIONS)}
    users = User.__table__
    columns = set(users.c.keys())
    people, members, profiles, tags, first_seen = [], [], [], [], Counter()
    for i in range(PEOPLE):
        given, last_name = rnd.choice(bare.FIRST), rnd.choice(bare.LAST)
        phone = f"0{rnd.randint(100000000, 999999999)}"
        department = rnd.choice(bare.DEPTS)
        skills = rnd.sample(bare.SKILLS, 2)
        tussen, _, surname = last_name.rpartition(" ")
        first_seen[given] += 1
        person_id = i + 1
        row = {"id": person_id, "username": f"user{i}", "email": f"user{i}@zorg.example", "given_name": given,
               "tussenvoegsel": tussen, "surname": surname, "display_name": full_name(given, tussen, surname),
               "sort_name": sort_key(surname, given), "kind": "employee", "role": "member", "active": True,
               "hr_fields": [], "created_at": now, "updated_at": now}
        keys = {"given_key": given.lower(), "surname_key": surname.lower(), "username_key": f"user{i}",
                "full_surname_key": last_name.lower(), "email_key": f"user{i}@zorg.example"}
        row.update({k: v for k, v in keys.items() if k in columns})
        people.append(row)
        role = "manager" if i < len(bare.DEPTS) * 20 and i % 20 == 0 else "member"
        members.append({"user_id": person_id, "group_id": departments[department], "role": role, "created_at": now})
        members.append({"user_id": person_id, "group_id": locations[extra.choice(LOCATIONS)], "role": "member",
                        "created_at": now})
        profiles.append({"person_id": person_id, "job_title": extra.choice(JOB_TITLES), "work_phone": phone,
                         "mobile": f"06{extra.randint(10000000, 99999999)}", "extension": str(1000 + i % 9000),
                         "room": f"{extra.choice('ABC')}{extra.randint(0, 3)}.{extra.randint(1, 40):02d}",
                         "languages": ["Nederlands"], "about": "", "photo": None, "pattern": [],
                         "imported_fields": [], "updated_at": now})
        tags += [{"person_id": person_id, "tag": directory.tag_of(skill), "label": skill} for skill in skills]
    with site.db.session() as session:
        session.execute(sa.insert(Group.__table__), [
            {"id": gid, "slug": name.lower().replace(" ", "-"), "name": name, "kind": "department",
             "description": "", "created_at": now} for name, gid in departments.items()] + [
            {"id": gid, "slug": f"locatie-{name.lower()}", "name": name, "kind": "location", "description": "",
             "created_at": now} for name, gid in locations.items()])
        for start in range(0, PEOPLE, 5000):
            session.execute(sa.insert(users), people[start:start + 5000])
        session.execute(sa.insert(Membership.__table__), members)
        session.execute(sa.insert(Profile.__table__), profiles)
        session.execute(sa.insert(Expertise.__table__), tags)
        bench = {**people[0], "id": PEOPLE + 1, "username": "bench", "email": "bench@bench.example",
                 "given_name": "Bench", "tussenvoegsel": "", "surname": "Mark", "display_name": "Bench Mark",
                 "sort_name": "mark bench"}
        bench.update({k: v for k, v in {"username_key": "bench", "email_key": "bench@bench.example",
                                        "given_key": "bench", "surname_key": "mark",
                                        "full_surname_key": "mark"}.items() if k in columns})
        session.execute(sa.insert(users), [bench])
        session.execute(sa.insert(Membership.__table__), [
            {"user_id": PEOPLE + 1, "group_id": departments[bare.DEPTS[0]], "role": "member", "created_at": now}])
    with site.db.session() as session:
        directory.rebuild(session)
    with site.db.engine.connect() as connection:
        if site.db.engine.dialect.name == "postgresql":
            connection.commit()
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            connection.exec_driver_sql("INSERT INTO phonebook_entries_fts(phonebook_entries_fts) VALUES ('optimize')")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    site.db.dispose()
    return {"name": first_seen.most_common(1)[0][0], "phone": profiles[123]["work_phone"]}


def run(options: Any) -> list[Row]:
    """Seed (once), serve organet and the bare reference side by side, and measure."""
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    repeat = 1 if options.quick else 3
    seconds = 2 if options.quick else 5
    bare_db = bare_directory_database(PEOPLE)
    rows: list[Row] = []
    for kind in kinds:
        config, url = organet_site(NAME, kind, plugins=["phonebook"])
        marker = CACHE / f"organet_{NAME}_{kind}.seeded"
        if not marker.exists():
            facts = seed(url, config)
            marker.write_text(f"{facts['name']} {facts['phone']}")
        name, phone = marker.read_text().split()
        cookies = bench_session(config, "bench")
        pages = {
            f"directory ?q={name} (most frequent first name)": [f"/phonebook/?q={name}"] * 100,
            "directory ?q=berg (surname, tussenvoegsel)": ["/phonebook/?q=berg"] * 100,
            f"directory ?q={phone[-4:]} (phone digits)": [f"/phonebook/?q={phone[-4:]}"] * 100,
            "as you type /api/phonebook/v1/suggest": [f"/api/phonebook/v1/suggest?q={p}"
                                                      for p in ("ja", "ber", "vis", "sm", "an")] * 20,
            "person page": [f"/phonebook/people/user{i * 491 % PEOPLE}" for i in range(100)],
        }
        with serve("organet", "organet.asgi:app", {"ORGANET_CONFIG": str(config)}, ready_path="/healthz") as org, \
                serve("bare", "bare_directory:app", {"BARE_DB": str(bare_db)}, app_dir=str(BASELINE),
                      ready_path="/fts?q=jan") as bare:
            bare_latency = measure_latency(bare.url, [f"/fts?q={name}"] * 100, repeat=repeat)
            bare_rps = measure_throughput(bare.url, f"/fts?q={name}", seconds=seconds)
            for label, paths in pages.items():
                latency = measure_latency(org.url, paths, repeat=repeat, cookies=cookies)
                rps = measure_throughput(org.url, paths[0], seconds=seconds, cookies=cookies)
                compared = "first name" in label
                rows.append(Row(NAME, label, kind, latency, rps, org.memory_mb(),
                                bare_latency if compared else None, bare_rps if compared else None))
    return rows


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
