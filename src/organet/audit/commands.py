"""``organet audit list`` and ``organet audit verify``."""

from __future__ import annotations

import datetime as dt
import sys

import click
import sqlalchemy as sa

from organet.audit.models import AuditRecord
from organet.audit.records import verify
from organet.audit.views import filtered


@click.group()
def audit() -> None:
    """The audit record of security-relevant changes: list and verify."""


@audit.command("list")
@click.option("--actor", default="", help="Only what this username did.")
@click.option("--action", default="", help="Only actions starting with this, such as 'auth.'.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (YYYY-MM-DD).")
@click.option("--limit", default=50, show_default=True, help="How many records, newest first.")
@click.pass_obj
def audit_list(ctx: object, actor: str, action: str, since: dt.datetime | None, until: dt.datetime | None,
               limit: int) -> None:
    """Show the newest audit records, optionally filtered."""
    site = ctx.site  # type: ignore[attr-defined]
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    query = filtered(sa.select(AuditRecord), actor=actor, action=action,
                     since=since.date() if since else None, until=until.date() if until else None)
    with site.db.session() as session:
        rows = session.scalars(query.order_by(AuditRecord.seq.desc()).limit(limit)).all()
        for row in rows:
            details = " ".join(f"{k}={v}" for k, v in (row.details or {}).items())
            click.echo(f"{row.seq:>7} {row.at:%Y-%m-%d %H:%M:%S}Z {row.actor_name:16} {row.address:15} "
                       f"{row.action:28} {row.target} {details}".rstrip())
        if not rows:
            click.echo("No records.")


@audit.command("verify")
@click.pass_obj
def audit_verify(ctx: object) -> None:
    """Check the hash chain; report the first broken record and exit with code 1 if there is one."""
    site = ctx.site  # type: ignore[attr-defined]
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    with site.db.session() as session:
        result = verify(session)
    if result.ok:
        click.echo(f"The audit record is intact: {result.checked} records checked.")
        return
    click.secho(f"The audit record is broken at record {result.broken_seq}: {result.problem}. "
                f"{result.checked} records before it are intact.", fg="red", err=True)
    sys.exit(1)
