"""``organet user token create|list|revoke`` (API tokens) and ``organet user reset-second-factor``."""

from __future__ import annotations

import click
import sqlalchemy as sa

from organet import audit
from organet.auth import resets, secondfactor, tokens
from organet.auth.models import ApiToken, SecondFactor
from organet.i18n import gettext as _
from organet.people.models import User


@click.group()
def token() -> None:
    """API tokens for integrations and service accounts: create, list, revoke."""


@token.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What uses the token, for example 'HR import'.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="A permission the token may use; repeat for more. It never exceeds the owner's.")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, tokens.MAX_DAYS),
              help="Days until the token stops working.")
@click.pass_obj
def create(ctx: object, username: str, name: str, scopes: tuple[str, ...], days: int) -> None:
    """Make a token for USERNAME and print it (once: only its digest is kept)."""
    site = ctx.site  # type: ignore[attr-defined]
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    unknown = [s for s in scopes if s not in site.permissions]
    if unknown:
        raise click.ClickException(f"Unknown permission(s): {', '.join(unknown)}. "
                                   f"Known: {', '.join(sorted(site.permissions))}.")
    with site.db.session() as session:
        owner = session.scalar(sa.select(User).where(User.username == username))
        if owner is None or not owner.active:
            raise click.ClickException(f"There is no active person or service account {username!r}.")
        row, secret = tokens.create(session, owner, name, scopes, days)
        audit.record(session, "cli", "auth.token.created", target=f"token:{row.id}",
                     details={"owner": owner.username, "name": row.name, "scopes": row.scopes, "days": days})
    click.echo(f"Token {row.id} for {username} ({', '.join(row.scopes)}), valid {days} days:")
    click.echo(secret)
    click.echo("Store it now; it cannot be shown again.", err=True)


@token.command("list")
@click.argument("username", required=False)
@click.pass_obj
def list_tokens(ctx: object, username: str | None) -> None:
    """List tokens (of USERNAME, or all): id, owner, name, scopes, expiry, last use and state."""
    site = ctx.site  # type: ignore[attr-defined]
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    query = sa.select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username:
        query = query.where(User.username == username)
    with site.db.session() as session:
        rows = session.execute(query).all()
    for row, owner in rows:
        state = "revoked" if row.revoked_at else ("active" if tokens.is_live(row) else "expired")
        expires = f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "never"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.id:>5} {owner:16} {row.name[:24]:24} {row.hint}… {state:8} expires {expires} "
                   f"used {used} scopes {','.join(row.scopes)}")
    if not rows:
        click.echo("No tokens.")


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def revoke(ctx: object, token_id: int) -> None:
    """Revoke the token TOKEN_ID (from `organet user token list`); it is refused from the next request."""
    site = ctx.site  # type: ignore[attr-defined]
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    with site.db.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise click.ClickException(f"There is no token {token_id}.")
        tokens.revoke(session, row)
        audit.record(session, "cli", "auth.token.revoked", target=f"token:{row.id}", details={"name": row.name})
    click.echo(f"Token {token_id} is revoked.")


@click.command("reset-second-factor")
@click.argument("username")
@click.pass_obj
def reset_second_factor(ctx: object, username: str) -> None:
    """Switch off USERNAME's second step (authenticator app and recovery codes), for a person who lost
    both, or whose codes can no longer be checked after the site's secret key changed. They sign in
    with their password and set it up again (at once, when their role requires it). Recorded in the
    audit log."""
    site = ctx.site  # type: ignore[attr-defined]
    click.get_current_context().call_on_close(site.db.dispose)  # close pooled connections when done
    with site.db.session() as session:
        person = session.scalar(sa.select(User).where(User.username == username))
        if person is None:
            raise click.ClickException(f"There is nobody with the username {username!r}; "
                                       "`organet user list` shows who there is.")
        factor = session.get(SecondFactor, person.id)
        if factor is None:
            raise click.ClickException(f"{username} has no second step set up; nothing to reset.")
        details = {"was_confirmed": factor.confirmed_at is not None,
                   "recovery_codes_left": secondfactor.recovery_codes_left(session, person.id)}
        secondfactor.remove(session, person.id)
        audit.record(session, "cli", "auth.second_factor.reset", target=f"person:{person.username}",
                     details=details)
        # As when they switch it off themselves: a reset they did not ask for must not go unnoticed.
        resets.notify(session, person, site.config.site["name"],
                      _("The second step (authenticator app) was switched off by an administrator"))
    click.echo(f"The second step of {username} is switched off; they set it up again after signing in.")
