"""``organet demo``: a throwaway site with every installed plugin and a made-up Dutch care organisation.

The core creates the organisation (departments in a tree, locations, teams and a few hundred
people with Dutch names) and four accounts to sign in with; then each plugin adds its own
sample content through the ``load_demo_data`` hook, in its own transaction, so that one
plugin's failure is reported and the demo still starts.

Start-up stays within seconds: the migrations run on SQLite, the people are inserted in one
transaction, and the four demo accounts share one password hash made once (the other people
cannot sign in, so they need none).
"""

from __future__ import annotations

import random
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from organet import schema
from organet.config import load_config
from organet.core.models import StoredSetting
from organet.people.models import Group, Membership, User
from organet.plugins import installed_plugins
from organet.runtime import bump, seed_permissions
from organet.site import Site, build_site

MARKER = ".organet-demo"
PASSWORD = "welkom-in-de-demo"  # noqa: S105 - printed on purpose: the demo's accounts are public
ORGANISATION = "Zorggroep Rivierenland"
DOMAIN = "zorggroep-rivierenland.example"
SECOND_FACTOR_SETTING = "require_second_factor_for"

# (slug, name, parent slug): the organisation tree, from the board down to the teams in the field.
DEPARTMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("raad-van-bestuur", "Raad van Bestuur", None),
    ("zorg", "Zorg", "raad-van-bestuur"),
    ("wijkteam-noord", "Wijkteam Noord", "zorg"),
    ("wijkteam-zuid", "Wijkteam Zuid", "zorg"),
    ("wijkverpleging-delft", "Wijkverpleging Delft", "zorg"),
    ("thuiszorg-leiden", "Thuiszorg Leiden", "zorg"),
    ("revalidatie", "Revalidatie", "zorg"),
    ("dagbesteding", "Dagbesteding", "zorg"),
    ("bedrijfsvoering", "Bedrijfsvoering", "raad-van-bestuur"),
    ("ict", "ICT", "bedrijfsvoering"),
    ("hr", "HR", "bedrijfsvoering"),
    ("financien", "Financiën", "bedrijfsvoering"),
    ("facilitair", "Facilitair bedrijf", "bedrijfsvoering"),
    ("communicatie", "Communicatie", "raad-van-bestuur"),
    ("kwaliteit", "Kwaliteit en Veiligheid", "raad-van-bestuur"),
)
LOCATIONS = ("Delft", "Leiden", "Den Haag", "Zoetermeer", "Rijswijk", "Gouda")
TEAMS = (("team-wondzorg", "Team Wondzorg", "team"), ("team-dementie", "Team Dementie", "team"),
         ("team-palliatief", "Team Palliatieve Zorg", "team"),
         ("ketenoverleg-dementie", "Ketenoverleg Dementie", "project"),
         ("projectgroep-intranet", "Projectgroep Intranet", "project"))
FIELD_DEPARTMENTS = ("wijkteam-noord", "wijkteam-zuid", "wijkverpleging-delft", "thuiszorg-leiden",
                     "revalidatie", "dagbesteding")

GIVEN_NAMES = (
    "Anna", "Sanne", "Lotte", "Emma", "Fleur", "Iris", "Noor", "Sophie", "Julia", "Eva", "Lisa", "Femke",
    "Marieke", "Ingrid", "Petra", "Wilma", "Annelies", "Yvonne", "Esther", "Karin", "Fatima", "Samira",
    "Naima", "Ayşe", "Priya", "Daan", "Sem", "Lucas", "Bram", "Thijs", "Jesse", "Ruben", "Jeroen", "Pieter",
    "Willem", "Henk", "Kees", "Marco", "Erik", "Bas", "Mohamed", "Youssef", "Mehmet", "Rajesh", "Joris",
    "Gert-Jan", "Maarten", "Tim", "Niels", "Wouter",
)
SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"), ("", "Janssen"),
    ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"),
    ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"),
    ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"),
    ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"),
    ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"), ("de", "Jong"), ("van", "Beek"),
    ("ter", "Horst"), ("in 't", "Veld"), ("van 't", "Hof"), ("van", "Wijk"), ("el", "Amrani"),
    ("", "Yilmaz"), ("", "Öztürk"), ("", "Ramdin"), ("van", "Rijn"), ("de", "Lange"), ("", "Postma"),
    ("van", "Vliet"), ("", "Kuipers"), ("op den", "Kamp"), ("van", "Os"),
)


@dataclass(frozen=True)
class DemoAccount:
    """An account printed for people trying the demo."""

    username: str
    role: str
    kind: str
    description: str
    given_name: str
    tussenvoegsel: str
    surname: str
    groups: tuple[str, ...] = ()
    manager_of: tuple[str, ...] = ()


ACCOUNTS = (
    DemoAccount("admin", "admin", "employee", "admin: every page, the admin section", "Fatima", "el", "Amrani",
                groups=("ict", "delft")),
    DemoAccount("manager", "editor", "employee", "manager of Wijkteam Noord, may publish", "Pieter", "van den",
                "Berg", groups=("leiden",), manager_of=("wijkteam-noord",)),
    DemoAccount("medewerker", "member", "employee", "member of Wijkteam Noord", "Sanne", "de", "Vries",
                groups=("wijkteam-noord", "team-wondzorg", "delft")),
    DemoAccount("partner", "external", "external", "external partner: only what is shared",
                "Joris", "van", "Dijk", groups=("ketenoverleg-dementie",)),
)


@dataclass
class Demo:
    """What :func:`build` made: the site's folder and config, the people and what each plugin said."""

    folder: Path
    config_path: Path
    site: Site
    people: int
    plugins: list[str]
    problems: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def prepare_folder(folder: Path | None) -> Path:
    """Return an empty folder for the demo: a new temporary one, or ``folder`` (an old demo there is wiped)."""
    if folder is None:
        return Path(tempfile.mkdtemp(prefix="organet-demo-"))
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise FileExistsError(f"{folder} is not empty and holds no earlier demo; choose an empty or new folder.")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_config(folder: Path, plugins: list[str], port: int) -> Path:
    """Write the demo's organet.toml (SQLite, every plugin enabled) and the marker of a throwaway folder."""
    (folder / MARKER).write_text("A throwaway organet demo; `organet demo` may delete this folder.\n")
    enabled = ", ".join(f'"{name}"' for name in plugins)
    path = folder / "organet.toml"
    path.write_text(f'''# A throwaway demo site made by `organet demo`.
[site]
name = "{ORGANISATION} (demo)"
secret_key = "{secrets.token_urlsafe(48)}"
database_url = "sqlite:///demo.db"
base_url = "http://127.0.0.1:{port}"
language = "nl"
media_dir = "media"

[plugins]
enabled = [{enabled}]
''', encoding="utf-8")
    return path


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower().replace(" ", "-") if ch.isalnum() or ch == "-")


def create_organisation(session: Any, rng: random.Random, count: int, password_hash: str) -> list[User]:
    """Create the groups, ``count`` people and the demo accounts; return every person, accounts first."""
    groups: dict[str, Group] = {}
    for slug, name, parent in DEPARTMENTS:
        groups[slug] = Group(slug=slug, name=name, kind="department",
                             parent=groups[parent] if parent else None)
    for place in LOCATIONS:
        groups[_slug(place)] = Group(slug=_slug(place), name=place, kind="location")
    for slug, name, kind in TEAMS:
        groups[slug] = Group(slug=slug, name=name, kind=kind)
    session.add_all(groups.values())
    session.flush()

    people: list[User] = []
    memberships: list[Membership] = []

    def add_person(username: str, given: str, tussenvoegsel: str, surname: str, role: str, kind: str,
                   password: str | None) -> User:
        person = User(username=username, email=f"{username}@{DOMAIN}", role=role, kind=kind,
                      password_hash=password, hr_id=None)
        person.set_name(given, tussenvoegsel, surname)
        people.append(person)
        return person

    for account in ACCOUNTS:
        add_person(account.username, account.given_name, account.tussenvoegsel, account.surname, account.role,
                   account.kind, password_hash)
    taken = {a.username for a in ACCOUNTS}
    for _ in range(count - len(ACCOUNTS)):
        given = rng.choice(GIVEN_NAMES)
        tussenvoegsel, surname = rng.choice(SURNAMES)
        base = _slug(f"{given}.{tussenvoegsel.replace(chr(39), '')}{surname}".replace(" ", "")).replace("-", "")
        username, number = base, 1
        while username in taken:
            number += 1
            username = f"{base}{number}"
        taken.add(username)
        add_person(username, given, tussenvoegsel, surname, "member", "employee", None)
    session.add_all(people)
    session.flush()

    for account, person in zip(ACCOUNTS, people, strict=False):
        memberships += [Membership(user_id=person.id, group_id=groups[g].id) for g in account.groups]
        memberships += [Membership(user_id=person.id, group_id=groups[g].id, role="manager")
                        for g in account.manager_of]
    staff = people[len(ACCOUNTS):]
    field_staff = staff[: len(staff) * 3 // 4]
    for person in staff:
        department = rng.choice(FIELD_DEPARTMENTS) if person in field_staff else rng.choice(
            ("ict", "hr", "financien", "facilitair", "communicatie", "kwaliteit"))
        memberships.append(Membership(user_id=person.id, group_id=groups[department].id))
        memberships.append(Membership(user_id=person.id, group_id=groups[_slug(rng.choice(LOCATIONS))].id))
        if rng.random() < 0.25:
            team = rng.choice(TEAMS[:3])[0]
            memberships.append(Membership(user_id=person.id, group_id=groups[team].id))
    # Every department has a manager; the board has two members.
    managed = {g for a in ACCOUNTS for g in a.manager_of}
    for slug, _name, _parent in DEPARTMENTS:
        if slug not in managed and staff:
            memberships.append(Membership(user_id=rng.choice(staff).id, group_id=groups[slug].id, role="manager"))
    unique = {(m.user_id, m.group_id): m for m in memberships}
    session.add_all(unique.values())
    session.flush()
    return people


def build(folder: Path | None = None, *, people: int = 300, port: int = 8000, seed: int = 2026,
          plugins: list[str] | None = None, say: Callable[[str], Any] = print) -> Demo:
    """Make the demo site: folder, config, migrations, the organisation, then each plugin's demo data."""
    from argon2 import PasswordHasher

    started = time.monotonic()
    target = prepare_folder(folder)
    chosen = sorted(installed_plugins()) if plugins is None else plugins
    config_path = write_config(target, chosen, port)
    site = build_site(load_config(config_path))
    say(f"Migrating {len(site.plugins)} plugins ...")
    schema.upgrade(site)
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    with site.db.session() as session:
        seed_permissions(site, session)
        if any(s.key == SECOND_FACTOR_SETTING for s in site.declared_settings.get("auth", ())):
            # Off for the demo only, as an admin would switch it off; a real site requires it for admins.
            session.merge(StoredSetting(plugin="auth", key=SECOND_FACTOR_SETTING, value=[]))
            bump(session)
        # The demo's password is printed for all to see, so a cheap argon2id hash loses nothing;
        # organet rehashes it with the full parameters at the first sign-in.
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
        made = create_organisation(session, rng, max(people, len(ACCOUNTS)), cheap)
        ids = [person.id for person in made]
    demo = Demo(folder=target, config_path=config_path, site=site, people=len(ids), plugins=chosen)
    for impl in reversed(site.pm.hook.load_demo_data.get_hookimpls()):
        say(f"Demo data: {impl.plugin_name} ...")
        try:
            with site.db.session() as session:
                found = {p.id: p for p in session.scalars(sa.select(User).where(User.id.in_(ids)))}
                own_rng = random.Random(f"{seed}:{impl.plugin_name}")  # noqa: S311 - sample data
                impl.function(session=session, people=[found[i] for i in ids], rng=own_rng)
        except Exception as error:  # one plugin's sample data must not stop the demo
            demo.problems[impl.plugin_name] = f"{type(error).__name__}: {error}"
            say(f"  {impl.plugin_name} could not add its demo data ({type(error).__name__}: {error}); "
                "the demo goes on without it.")
    demo.seconds = time.monotonic() - started
    return demo


def logins_text(demo: Demo, port: int) -> str:
    """The lines printed after the demo is made: where it is, who to sign in as, what is switched off."""
    width = max(len(a.username) for a in ACCOUNTS)
    lines = [
        f"organet demo: {ORGANISATION}, a made-up care organisation with {demo.people} people.",
        f"Site folder (throwaway): {demo.folder}",
        f"Plugins: {', '.join(demo.plugins) or '(none installed)'}",
        "",
        f"Sign in at http://127.0.0.1:{port}/login as one of (password for all: {PASSWORD}):",
        *(f"  {a.username:{width}}  {a.description}" for a in ACCOUNTS),
        "",
        "The second factor is NOT required on this demo site, so that you can sign in at once;",
        "a real site requires it for admins (see docs/configuration.md).",
    ]
    return "\n".join(lines)


@click.command("demo")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to make the site (an earlier demo there is replaced); a new temporary folder by default.")
@click.option("--port", default=8000, show_default=True, type=int, help="The port to serve on.")
@click.option("--people", default=300, show_default=True, type=click.IntRange(10, 5000),
              help="How many people the organisation has.")
@click.option("--no-serve", is_flag=True, help="Make the site and print the logins, but do not serve it.")
def command(folder: Path | None, port: int, people: int, no_serve: bool) -> None:
    """Make a throwaway demo site with every installed plugin and sample data, and serve it."""
    from organet.errors import OrganetError

    try:
        demo = build(folder, people=people, port=port, say=lambda line: click.echo(line, err=True))
    except (OrganetError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Made in {demo.seconds:.1f} s.", err=True)
    click.echo("")
    click.echo(logins_text(demo, port))
    if demo.problems:
        click.echo(f"\nWithout demo data (see the messages above): {', '.join(sorted(demo.problems))}")
    if no_serve:
        click.echo(f"\nServe it later with: organet -c {demo.config_path} serve --port {port}")
        return
    import uvicorn

    from organet.app import create_app

    demo.site.db.dispose()
    throwaway = folder is None  # a folder the person chose is theirs to keep
    stop = " and remove the site" if throwaway else ""
    click.echo(f"\nServing on http://127.0.0.1:{port}/ — press Ctrl+C to stop{stop}.\n")
    try:
        uvicorn.run(create_app(demo.config_path, run_jobs=True), host="127.0.0.1", port=port, log_level="warning")
    finally:
        if throwaway:
            shutil.rmtree(demo.folder, ignore_errors=True)
            click.echo(f"Removed the demo site {demo.folder}.", err=True)
