"""The ``organet`` command line: site set-up, serving, the database, plugins, jobs and people.

Every error is a message and a non-zero exit code, never a traceback. Plugins add their own
commands through ``register_commands``.
"""

from __future__ import annotations

import functools
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from organet import schema
from organet.app import resolve_config
from organet.config import Config
from organet.errors import OrganetError
from organet.plugins import ESSENTIAL_MODULES, installed_plugins, load_package
from organet.site import Site, build_site

F = TypeVar("F", bound=Callable[..., Any])


def friendly(function: F) -> F:
    """Turn organet's errors into a message on stderr and exit code 1, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except OrganetError as error:
            click.secho(f"Error: {error}", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


class SiteContext:
    """What every command gets: the config file's path, and the site built from it when asked."""

    def __init__(self, config_path: str) -> None:
        self.config_path = config_path
        self._site: Site | None = None

    @property
    def config(self) -> Config:
        """The validated configuration."""
        return resolve_config(self.config_path)

    @property
    def site(self) -> Site:
        """The site, built once per command."""
        if self._site is None:
            self._site = build_site(self.config)
        return self._site

    def close(self) -> None:
        """Close the site's database connections when the command ends (tests run many commands in one process)."""
        if self._site is not None:
            self._site.db.dispose()


pass_site = click.make_pass_decorator(SiteContext)


class OrganetGroup(click.Group):
    """The root command group; adds the commands of enabled plugins when the CLI starts."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        if getattr(self, "_loaded", None) is not None:
            return self._loaded  # type: ignore[no-any-return]
        self._loaded: dict[str, click.Command] = {}
        config_path = _config_path_from(ctx)
        if config_path and Path(config_path).exists():
            try:
                site = build_site(resolve_config(config_path))
            except OrganetError:
                return self._loaded  # the built-in commands still work and report the problem
            for results in site.pm.hook.register_commands():
                for command in results or ():
                    self._loaded[command.name or ""] = command
        return self._loaded

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._plugin_commands(ctx).get(cmd_name)


def _config_path_from(ctx: click.Context) -> str:
    root = ctx.find_root()
    # The root's options are parsed before subcommands are looked up (click deprecates protected_args).
    parsed = root.params.get("config_path") if root else None
    if parsed:
        return str(parsed)
    argv = sys.argv[1:]
    for source in (argv,):
        for index, arg in enumerate(source):
            if arg in ("-c", "--config") and index + 1 < len(source):
                return source[index + 1]
            if arg.startswith("--config="):
                return arg.split("=", 1)[1]
    return os.environ.get("ORGANET_CONFIG", "organet.toml")


@click.group(cls=OrganetGroup)
@click.option("-c", "--config", "config_path", envvar="ORGANET_CONFIG", default="organet.toml",
              show_default=True, help="The site's organet.toml.")
@click.pass_context
def main(ctx: click.Context, config_path: str) -> None:
    """organet: a social intranet, a small core and every feature a plugin."""
    ctx.obj = SiteContext(config_path)
    ctx.call_on_close(ctx.obj.close)


CONFIG_TEMPLATE = '''# organet site configuration. Every key is described in docs/configuration.md.

[site]
name = "{name}"
# Signs tokens. Keep it secret; change it to sign everyone out.
secret_key = "{secret}"
database_url = "sqlite:///organet.db"
time_zone = "Europe/Amsterdam"
language = "nl"
media_dir = "media"

[mail]
# host = "smtp.example.org"
sender = "intranet@localhost"

[plugins]
# Switch plugins on one phase at a time; `organet plugins list` shows what is installed.
enabled = [{plugins}]
'''


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--name", default="Intranet", help="The site's name.")
@click.option("--plugins", default="", help="Comma-separated plugins to enable.")
@friendly
def init(folder: str, name: str, plugins: str) -> None:
    """Create a new site in FOLDER: organet.toml with a random secret and an SQLite database."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    config_file = target / "organet.toml"
    if config_file.exists():
        raise click.ClickException(f"{config_file} exists already; remove it first or choose another folder.")
    chosen = ", ".join(f'"{p.strip()}"' for p in plugins.split(",") if p.strip())
    config_file.write_text(CONFIG_TEMPLATE.format(name=name.replace('"', ""), secret=secrets.token_urlsafe(48),
                                                  plugins=chosen), encoding="utf-8")
    site = build_site(resolve_config(config_file))
    _upgrade(site)
    click.echo(f"Created {config_file} and the database.")
    click.echo(f"Next: organet -c {config_file} user create admin --role admin, then organet -c {config_file} serve")


def _upgrade(site: Site) -> list[str]:
    from tqdm import tqdm

    names = [p.name for p in site.plugins.values() if p.migrations.is_dir()]
    with tqdm(total=len(names), desc="Migrating", unit="plugin", disable=not sys.stderr.isatty()) as bar:
        def progress(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update(1)

        return schema.upgrade(site, progress)


@main.group()
def db() -> None:
    """The database schema: upgrade, current, pending, revision."""


@db.command("upgrade")
@pass_site
@friendly
def db_upgrade(ctx: SiteContext) -> None:
    """Apply every pending migration of the core and each enabled plugin."""
    changed = _upgrade(ctx.site)
    click.echo(f"Upgraded: {', '.join(changed)}" if changed else "The database is up to date.")


@db.command("current")
@pass_site
@friendly
def db_current(ctx: SiteContext) -> None:
    """Show the revision each plugin's tables are at."""
    for plugin, revisions in schema.current(ctx.site).items():
        click.echo(f"{plugin:16} {', '.join(sorted(revisions)) or '(none)'}")


@db.command("pending")
@pass_site
@friendly
def db_pending(ctx: SiteContext) -> None:
    """List the migrations not yet applied; exit code 1 when there are any."""
    todo = {plugin: revs for plugin, revs in schema.pending(ctx.site).items() if revs}
    for plugin, revisions in todo.items():
        for revision in revisions:
            click.echo(f"{plugin:16} {revision}")
    if not todo:
        click.echo("Nothing pending.")
    sys.exit(1 if todo else 0)


@db.command("revision")
@click.option("--plugin", required=True, help="The plugin whose models changed.")
@click.option("-m", "--message", required=True, help="What the change is, for example 'add room to posts'.")
@click.option("--empty", is_flag=True, help="Write an empty revision instead of comparing models.")
@pass_site
@friendly
def db_revision(ctx: SiteContext, plugin: str, message: str, empty: bool) -> None:
    """Write a new migration for PLUGIN by comparing its models with the database."""
    if plugin not in ctx.site.plugins:
        raise click.ClickException(f"Plugin {plugin!r} is not enabled on this site; enable it first.")
    path = schema.make_revision(ctx.site, plugin, message, autogenerate=not empty)
    click.echo(f"Wrote {path}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.option("--no-jobs", is_flag=True, help="Do not run background jobs here (run `organet worker`).")
@pass_site
@friendly
def serve(ctx: SiteContext, host: str, port: int, workers: int, no_jobs: bool) -> None:
    """Serve the site with uvicorn. Runs the background jobs too unless --no-jobs."""
    import uvicorn

    todo = {plugin: revs for plugin, revs in schema.pending(ctx.site).items() if revs}
    if todo:
        raise click.ClickException(f"The database needs migrations for {', '.join(todo)}. "
                                   "Run `organet db upgrade` first.")
    os.environ["ORGANET_CONFIG"] = str(Path(ctx.config_path).resolve())
    if not no_jobs and ctx.config.site["run_jobs_in_server"]:
        os.environ["ORGANET_RUN_JOBS"] = "1"
    click.echo(f"Serving {ctx.config.site['name']} on http://{host}:{port}/ with {workers} worker(s)")
    uvicorn.run("organet.asgi:app", host=host, port=port, workers=workers, proxy_headers=True,
                log_level="info", factory=False)


@main.group()
def plugins() -> None:
    """Installed plugins: list, info, enable, disable, new."""


@plugins.command("list")
@pass_site
@friendly
def plugins_list(ctx: SiteContext) -> None:
    """Show every installed plugin: version, phase, enabled state and migration state."""
    config = ctx.config
    site = ctx.site
    at = schema.current(site)
    rows = [(m.rsplit(".", 1)[-1], m) for m in ESSENTIAL_MODULES]
    rows += [(name, entry.value) for name, entry in sorted(installed_plugins().items())]
    click.echo(f"{'name':16} {'version':9} {'phase':6} {'state':9} {'migrations':11} title")
    for name, module in rows:
        try:
            plugin = load_package(module.split(":")[0], name_hint=name)
        except OrganetError as error:
            click.echo(f"{name:16} {'?':9} {'?':6} {'broken':9} {'':11} {str(error).splitlines()[0]}")
            continue
        info = plugin.info
        state = "core" if info.essential else ("enabled" if name in config.plugins else "disabled")
        migrations = "-"
        if state != "disabled" and plugin.migrations.is_dir():
            migrations = "ok" if at.get(name) == schema.heads(plugin) else "pending"
        phase = "-" if info.essential else str(info.phase)
        click.echo(f"{name:16} {info.version:9} {phase:6} {state:9} {migrations:11} {info.title}")


@plugins.command("info")
@click.argument("name")
@pass_site
@friendly
def plugins_info(ctx: SiteContext, name: str) -> None:
    """Show one plugin's metadata and the hooks it implements."""
    entry = installed_plugins().get(name)
    module = entry.value.split(":")[0] if entry else f"organet.{name}"
    plugin = load_package(module, name_hint=name)
    info = plugin.info
    click.echo(f"{info.title} ({info.name}) {info.version}")
    click.echo(info.description)
    click.echo(f"phase: {info.phase}   requires: {', '.join(info.requires) or '-'}   organet: {info.organet}")
    hooks = sorted(n for n in dir(plugin.hooks) if hasattr(getattr(plugin.hooks, n), "organet_impl"))
    click.echo(f"hooks: {', '.join(hooks)}")


def _edit_enabled(config_path: str, change: Callable[[list[str]], list[str]]) -> list[str]:
    import tomlkit

    path = Path(config_path)
    if not path.exists():
        raise click.ClickException(f"{path}: no such file. Run `organet init` first.")
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    plugins_table = document.setdefault("plugins", tomlkit.table())
    current = [str(p) for p in plugins_table.get("enabled", [])]
    wanted = change(current)
    array = tomlkit.array()
    array.extend(wanted)
    if "enabled" in plugins_table:
        plugins_table["enabled"] = array
    else:
        plugins_table.add("enabled", array)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return wanted


@plugins.command("enable")
@click.argument("names", nargs=-1, required=True)
@pass_site
@friendly
def plugins_enable(ctx: SiteContext, names: tuple[str, ...]) -> None:
    """Enable plugins in organet.toml (applied at the next start); then run `organet db upgrade`."""
    installed = installed_plugins()
    for name in names:
        if name not in installed:
            raise click.ClickException(f"Plugin {name!r} is not installed. Installed: {', '.join(sorted(installed))}.")
    enabled = _edit_enabled(ctx.config_path, lambda current: [*current, *(n for n in names if n not in current)])
    click.echo(f"Enabled: {', '.join(enabled)}. Run `organet db upgrade`, then restart the site.")


@plugins.command("disable")
@click.argument("names", nargs=-1, required=True)
@pass_site
@friendly
def plugins_disable(ctx: SiteContext, names: tuple[str, ...]) -> None:
    """Disable plugins in organet.toml; their data is kept for when they come back."""
    essential = {m.rsplit(".", 1)[-1] for m in ESSENTIAL_MODULES}
    for name in names:
        if name in essential:
            raise click.ClickException(f"plugin {name!r} cannot be disabled: it is part of the core.")
    enabled = _edit_enabled(ctx.config_path, lambda current: [p for p in current if p not in names])
    click.echo(f"Enabled now: {', '.join(enabled) or '(none)'}. Restart the site to apply; data is kept.")


def _add_developer_commands() -> None:
    # Commands that need no site of their own live in their modules; they join the CLI here.
    from organet import demo, docs, i18n_tools, scaffold

    main.add_command(i18n_tools.command)
    main.add_command(demo.command)
    plugins.add_command(scaffold.command)
    main.add_command(docs.command)


_add_developer_commands()


def _add_job_commands() -> None:
    # `organet worker` and `organet jobs` live with the jobs plugin; the core's CLI always has them.
    from organet.jobs import commands as job_commands

    main.add_command(job_commands.worker)
    main.add_command(job_commands.jobs)


_add_job_commands()


@main.group()
def user() -> None:
    """People and service accounts: create, deactivate, import, export, list; API tokens; a second step reset."""


def _add_user_commands() -> None:
    # Subcommands of `organet user` live with the plugin that owns them; add yours with user.add_command.
    from organet.auth.commands import reset_second_factor, token

    user.add_command(token)
    user.add_command(reset_second_factor)
    # People, groups and roles belong to the essential people plugin; the core's CLI always has them.
    from organet.people import commands as people_commands

    for command in people_commands.user.commands.values():
        user.add_command(command)
    main.add_command(people_commands.group)
    main.add_command(people_commands.role)


_add_user_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
