"""``organet user``, ``organet group`` and ``organet role``: people, groups and permissions on the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from organet.cli import friendly
from organet.errors import OrganetError, ValidationError
from organet.people import accounts, hr_import
from organet.people.models import ROLES, Group, Membership, RolePermission, User
from organet.runtime import bump


def _site(ctx: Any) -> Any:
    return ctx.site


def _person(session: Any, username: str) -> User:
    person: User | None = session.scalar(sa.select(User).where(User.username == username))
    if person is None:
        raise ValidationError(f"There is nobody with the username {username!r}; "
                              "`organet user list` shows who there is.")
    return person


def _fail_on_fields(error: ValidationError) -> None:
    fields = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in (error.errors or {}).items())
    raise OrganetError(f"{error}{' ' + fields if fields else ''}") from None


@click.group()
def user() -> None:
    """People: create, deactivate, import, export, list."""


@user.command("create")
@click.argument("username")
@click.option("--email", default="", help="E-mail address (default: USERNAME@localhost).")
@click.option("--given-name", default="", help="Given name.")
@click.option("--tussenvoegsel", default="", help="van, de, van den ...")
@click.option("--surname", default="", help="Surname (default: the username).")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--kind", type=click.Choice(["employee", "external", "service"]), default="employee",
              show_default=True)
@click.option("--password", default=None, help="Set a password (asked for when --ask-password).")
@click.option("--ask-password", is_flag=True, help="Ask for the password without echoing it.")
@click.pass_obj
@friendly
def user_create(ctx: Any, username: str, email: str, given_name: str, tussenvoegsel: str, surname: str, role: str,
                kind: str, password: str | None, ask_password: bool) -> None:
    """Create a person who can sign in once they have a password."""
    if ask_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _site(ctx).db.session() as session:
        try:
            person = accounts.create_person(session, "cli", username=username, email=email or f"{username}@localhost",
                                            given_name=given_name, tussenvoegsel=tussenvoegsel,
                                            surname=surname or username, role=role, kind=kind)
        except ValidationError as error:
            _fail_on_fields(error)
        if password:
            from organet.auth.passwords import hash_password

            person.password_hash = hash_password(password)
        click.echo(f"Created {person.username} ({person.role}, {person.kind}).")


@user.command("deactivate")
@click.argument("username")
@click.pass_obj
@friendly
def user_deactivate(ctx: Any, username: str) -> None:
    """Deactivate a person: they are signed out everywhere and can no longer sign in."""
    with _site(ctx).db.session() as session:
        accounts.deactivate(session, "cli", _person(session, username))
    click.echo(f"Deactivated {username}.")


@user.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include deactivated people.")
@click.option("-q", "--query", default="", help="Only people whose name, username or e-mail starts with this.")
@click.pass_obj
@friendly
def user_list(ctx: Any, show_all: bool, query: str) -> None:
    """List people, sorted by surname."""
    from organet.people.directory import people_query

    with _site(ctx).db.session() as session:
        for person in session.scalars(people_query(query, include_inactive=show_all, include_services=True)):
            state = "" if person.active else " (deactivated)"
            click.echo(f"{person.username:24} {person.role:9} {person.kind:9} {person.name}{state}")


@user.command("export")
@click.argument("output", type=click.Path(dir_okay=False, writable=True), default="-")
@click.pass_obj
@friendly
def user_export(ctx: Any, output: str) -> None:
    """Write everyone to a CSV file (or stdout), with formula-like cells neutralised."""
    from organet.exports import csv_text

    with _site(ctx).db.session() as session:
        people = session.scalars(sa.select(User).where(User.erased_at.is_(None)).order_by(User.sort_name, User.id))
        rows = ([p.hr_id or "", p.username, p.email, p.given_name, p.tussenvoegsel, p.surname, p.kind, p.role,
                 "yes" if p.active else "no",
                 ", ".join(m.group.name for m in p.memberships if m.group.kind == "department")] for p in people)
        text = csv_text(["employee_id", "username", "email", "given_name", "tussenvoegsel", "surname", "kind",
                         "role", "active", "department"], rows)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)


@user.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows even when some rows are bad.")
@click.option("--full", is_flag=True, help="The file lists everyone: people missing from it are leavers.")
@click.option("--confirm-leavers", is_flag=True, help="With --full: deactivate the leavers.")
@click.pass_obj
@friendly
def user_import(ctx: Any, file: str, dry_run: bool, skip_bad_rows: bool, full: bool, confirm_leavers: bool) -> None:
    """Import people and departments from an HR export (CSV; columns mapped in [plugins.people] import_columns).

    Exit code 1 when rows are bad and nothing was imported.
    """
    from tqdm import tqdm

    text = hr_import.decode(Path(file).read_bytes())
    site = _site(ctx)
    with tqdm(total=0, desc="Importing", unit="row", disable=not sys.stderr.isatty()) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        with site.db.session() as session:
            report = hr_import.run_import(site, session, text, dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                                          full=full, confirm_leavers=confirm_leavers, actor="cli", progress=progress)
    for problem in report.bad:
        click.echo(f"line {problem.line}: {problem.reason}", err=True)
    verb = "Would" if dry_run or not report.applied else "Did"
    click.echo(f"{verb} create {len(report.joiners)}, update {len(report.updated)}, move {len(report.movers)}, "
               f"bring back {len(report.returned)}; {len(report.bad)} bad row(s).")
    for mover in report.movers:
        click.echo(f"  moves: {mover['username']}: {mover['from']} -> {mover['to']}")
    if report.kept_deactivated:
        click.echo(f"  stay deactivated (an admin's decision): {', '.join(report.kept_deactivated)}")
    if report.leavers:
        state = "deactivated" if report.deactivated and not dry_run else "not deactivated; add --confirm-leavers"
        click.echo(f"  leavers ({state}): {', '.join(report.leavers)}")
    if report.bad and not report.applied and not dry_run:
        click.echo("Nothing was imported because some rows are bad. Fix them, or use --skip-bad-rows.", err=True)
        sys.exit(1)


@click.group()
def group() -> None:
    """Groups: create, list, add-member."""


@group.command("create")
@click.argument("name")
@click.option("--slug", default="", help="Short name for URLs (default: from the name).")
@click.option("--kind", type=click.Choice(["department", "location", "team", "project"]), default="department",
              show_default=True)
@click.option("--parent", default="", help="Slug of the parent group (departments form a tree).")
@click.pass_obj
@friendly
def group_create(ctx: Any, name: str, slug: str, kind: str, parent: str) -> None:
    """Create a group."""
    with _site(ctx).db.session() as session:
        above = accounts.find_group(session, parent) if parent else None
        if parent and above is None:
            raise OrganetError(f"There is no group {parent!r}; `organet group list` shows the groups.")
        try:
            created = accounts.create_group(session, "cli", name=name, slug=slug, kind=kind, parent=above)
        except ValidationError as error:
            _fail_on_fields(error)
        click.echo(f"Created {created.slug} ({created.kind}).")


@group.command("list")
@click.pass_obj
@friendly
def group_list(ctx: Any) -> None:
    """List groups with their kind, parent and member count."""
    with _site(ctx).db.session() as session:
        counts = dict(session.execute(sa.select(Membership.group_id, sa.func.count())
                                      .group_by(Membership.group_id)).all())
        for found in session.scalars(sa.select(Group).order_by(Group.kind, Group.name)):
            parent = f" in {found.parent.slug}" if found.parent else ""
            click.echo(f"{found.slug:24} {found.kind:10} {counts.get(found.id, 0):>5}  {found.name}{parent}")


@group.command("add-member")
@click.argument("slug")
@click.argument("usernames", nargs=-1, required=True)
@click.option("--manager", is_flag=True, help="Add them as managers of the group.")
@click.pass_obj
@friendly
def group_add_member(ctx: Any, slug: str, usernames: tuple[str, ...], manager: bool) -> None:
    """Add people to a group (as members, or managers with --manager)."""
    with _site(ctx).db.session() as session:
        found = accounts.find_group(session, slug)
        if found is None:
            raise OrganetError(f"There is no group {slug!r}; `organet group list` shows the groups.")
        for username in usernames:
            accounts.add_member(session, "cli", _person(session, username), found,
                                "manager" if manager else "member")
    click.echo(f"Added {len(usernames)} to {slug}.")


@click.group()
def role() -> None:
    """Site roles and the permissions they hold: list, grant, revoke."""


@role.command("list")
@click.pass_obj
@friendly
def role_list(ctx: Any) -> None:
    """Show which role holds which permission."""
    site = _site(ctx)
    with site.db.session() as session:
        held = set(session.execute(sa.select(RolePermission.role, RolePermission.permission)))
    click.echo(f"{'permission':28} " + " ".join(f"{r:8}" for r in ROLES))
    for name in sorted(site.permissions):
        click.echo(f"{name:28} " + " ".join(f"{'yes' if (r, name) in held else '-':8}" for r in ROLES))


def _change_role(ctx: Any, role_name: str, permission: str, grant: bool) -> None:
    site = _site(ctx)
    if role_name not in ROLES:
        raise OrganetError(f"There is no role {role_name!r}; the roles are {', '.join(ROLES)}.")
    if permission not in site.permissions:
        raise OrganetError(f"No enabled plugin declares the permission {permission!r}; `organet role list` shows them.")
    if not grant and (role_name, permission) == ("admin", "administer-site"):
        raise OrganetError("The admin role keeps administer-site; otherwise nobody could open the admin section.")
    from organet import audit

    with site.db.session() as session:
        exists = session.get(RolePermission, (role_name, permission)) is not None
        if grant and not exists:
            session.add(RolePermission(role=role_name, permission=permission))
        elif not grant and exists:
            session.execute(sa.delete(RolePermission).where(RolePermission.role == role_name,
                                                            RolePermission.permission == permission))
        else:
            return
        audit.record(session, "cli", "people.permissions.changed", target="roles",
                     details={"granted" if grant else "revoked": [f"{role_name}:{permission}"]})
        bump(session)


@role.command("grant")
@click.argument("role_name", metavar="ROLE")
@click.argument("permission")
@click.pass_obj
@friendly
def role_grant(ctx: Any, role_name: str, permission: str) -> None:
    """Give ROLE the PERMISSION (every worker applies it within seconds)."""
    _change_role(ctx, role_name, permission, True)
    click.echo(f"{role_name} holds {permission}.")


@role.command("revoke")
@click.argument("role_name", metavar="ROLE")
@click.argument("permission")
@click.pass_obj
@friendly
def role_revoke(ctx: Any, role_name: str, permission: str) -> None:
    """Take PERMISSION from ROLE."""
    _change_role(ctx, role_name, permission, False)
    click.echo(f"{role_name} no longer holds {permission}.")
