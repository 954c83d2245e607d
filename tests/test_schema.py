"""Migrations: a plugin enabled later adds its tables and loses no row; an uninstalled one never breaks an upgrade."""

from __future__ import annotations

import shutil
import sys

import sqlalchemy as sa
from click.testing import CliRunner

from organet import jobs, mail, schema
from organet.cli import main
from organet.people.models import Group, Membership, User
from organet.plugins import installed_plugins
from organet.site import build_site
from organet.testing import fresh_database, site_config

SCRATCH_MIGRATION = '''
"""create scratch notes"""
import sqlalchemy as sa
from alembic import op

revision = "5c7a7c400001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("{name}_notes", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("text", sa.String(100), nullable=False))


def downgrade():
    op.drop_table("{name}_notes")
'''


def fill(url, people=400):
    """Put a realistic amount of rows in the core's tables: people, groups, memberships, jobs and mail."""
    site = build_site(site_config([], database_url=url))
    try:
        with site.db.session() as session:
            groups = [Group(slug=f"afdeling-{n}", name=f"Afdeling {n}", kind="department") for n in range(20)]
            session.add_all(groups)
            session.flush()
            for n in range(people):
                person = User(username=f"person{n}", email=f"person{n}@example.org")
                person.set_name(f"Given{n}", "van" if n % 3 == 0 else "", f"Surname{n}")
                session.add(person)
                session.flush()
                session.add(Membership(user_id=person.id, group_id=groups[n % 20].id, role="member"))
            for n in range(50):
                jobs.enqueue(session, "mail.send", {"n": n})
            mail.send(session, [f"person{n}@example.org" for n in range(100)], "Welkom", "Hallo")
    finally:
        site.db.dispose()


def snapshot(url):
    """Every row of every table, as sorted tuples per table."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {name: sorted(tuple(str(value) for value in row) for row in connection.execute(table.select()))
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def all_installed_plugins():
    return sorted(installed_plugins())


def test_enabling_plugins_later_adds_their_tables_and_loses_no_row(tmp_path):
    url = fresh_database([], tmp_path)
    fill(url)
    before = snapshot(url)
    assert len(before["people"]) == 400 and len(before["mail_messages"]) == 100
    plugins = all_installed_plugins()
    site = build_site(site_config(plugins, database_url=url))
    try:
        changed = schema.upgrade(site)
        assert changed and set(changed) <= set(plugins)
        assert not any(schema.pending(site).values())
    finally:
        site.db.dispose()
    after = snapshot(url)
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed"
    added = set(after) - set(before)
    assert added and all(any(t.startswith(p) for p in plugins) or t.startswith("alembic_version_") for t in added)


def test_upgrade_after_uninstalling_a_plugin_still_works_and_keeps_its_data(tmp_path, fake_plugins):
    name = "scratchpad"
    package = fake_plugins(name, files={"migrations/versions/5c7a7c400001_create.py":
                                        SCRATCH_MIGRATION.replace("{name}", name)})
    url = fresh_database([], tmp_path)
    fill(url, people=50)
    config = tmp_path / "organet.toml"
    config.write_text(f'# our site\n[site]\nsecret_key = "a-long-random-secret-for-tests"\n'
                      f'database_url = "{url}"\n[plugins]\nenabled = ["{name}"]\n', encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["-c", str(config), "db", "upgrade"])
    assert first.exit_code == 0, first.output
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {name}_notes (text) VALUES ('keep me')"))
    engine.dispose()
    before = snapshot(url)

    # Uninstall: off in the config, and its package gone from disk and from the entry points.
    assert runner.invoke(main, ["-c", str(config), "plugins", "disable", name]).exit_code == 0
    shutil.rmtree(sys.modules[package].__path__[0])
    for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[loaded]
    fake_plugins.uninstall(name)

    again = runner.invoke(main, ["-c", str(config), "db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output
    later = runner.invoke(main, ["-c", str(config), "plugins", "enable", all_installed_plugins()[0]])
    assert later.exit_code == 0, later.output
    upgraded = runner.invoke(main, ["-c", str(config), "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    current = runner.invoke(main, ["-c", str(config), "db", "current"])
    assert current.exit_code == 0, current.output
    after = snapshot(url)
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed"
    assert after[f"{name}_notes"] == [("1", "keep me")]
