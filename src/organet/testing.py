"""The plugin author's test kit: a pytest plugin (registered as ``pytest11``) with fixtures for organet sites.

Each test gets a fresh site on a fresh database: migrations are applied once per set of
plugins into a template (a file on SQLite, a template database on PostgreSQL) and copied for
every test, so suites stay fast. Set ``ORGANET_TEST_DATABASE_URL`` to a PostgreSQL server
URL to run the same tests on PostgreSQL.

    def test_board_lists_posts(make_app, make_user, client_for):
        app = make_app(plugins=["bulletin"])
        anna = make_user(app, "anna", role="member")
        client = client_for(app, anna)
        assert client.get("/bulletin/").status_code == 200
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from organet import security
from organet.app import create_app
from organet.config import Config
from organet.db import Database
from organet.people.models import Group, Membership, User
from organet.schema import upgrade
from organet.site import build_site

TEST_SECRET = "organet-test-secret-not-for-production"  # noqa: S105 - tests only
ENV_DATABASE = "ORGANET_TEST_DATABASE_URL"

_templates: dict[tuple[str, ...], str] = {}
_templates_lock = threading.Lock()
_work_dir = Path(tempfile.mkdtemp(prefix="organet-test-"))
_created_databases: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Make password hashing cheap in tests (argon2 with minimal parameters)."""
    os.environ.setdefault("ORGANET_FAST_HASHING", "1")


def site_config(plugins: Sequence[str] = (), database_url: str = "sqlite://", media_dir: str | None = None,
                **sections: dict[str, Any]) -> Config:
    """Return a :class:`Config` for a test site with ``plugins`` enabled.

    Extra keyword arguments are sections: ``site={"name": "X"}``, ``mail={...}``, or a plugin's
    settings as ``plugin_settings={"bulletin": {"expiry_days": 7}}``. The second factor that a
    real site requires of admins is off here; ``require_second_factor=True`` turns it on.
    """
    plugin_settings = {name: dict(values) for name, values in sections.pop("plugin_settings", {}).items()}
    # Test sites do not require a second factor, so that a test can sign an admin in directly.
    # Turn it on with make_app(require_second_factor=True) or plugin_settings={"auth": {...}}.
    required = ["admin"] if sections.pop("require_second_factor", False) else []
    plugin_settings.setdefault("auth", {}).setdefault("require_second_factor_for", required)
    data: dict[str, Any] = {
        # English by default, so that tests read the msgids; send Accept-Language: nl to test Dutch.
        "site": {"secret_key": TEST_SECRET, "database_url": database_url, "name": "Test intranet", "language": "en",
                 "media_dir": media_dir or str(_work_dir / "media"), **sections.pop("site", {})},
        "mail": sections.pop("mail", {}),
        "plugins": {"enabled": list(plugins), **plugin_settings},
    }
    return Config.from_dict(data, environ={})


def _server_url() -> str | None:
    return os.environ.get(ENV_DATABASE) or None


def _with_database(url: str, name: str) -> str:
    return str(sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False))


def _template_for(plugins: tuple[str, ...]) -> str:
    """Return the URL (or file path) of a migrated template database for this set of plugins."""
    with _templates_lock:
        if plugins in _templates:
            return _templates[plugins]
        key = hashlib.sha1(",".join(plugins).encode()).hexdigest()[:10]  # noqa: S324 - a name, not security
        server = _server_url()
        if server:
            name = f"organet_tpl_{key}_{os.getpid()}"
            _admin_execute(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
            _created_databases.append(name)
            url = _with_database(server, name)
        else:
            url = f"sqlite:///{_work_dir / f'template-{key}.db'}"
        site = build_site(site_config(plugins, database_url=url))
        upgrade(site)
        site.db.dispose()
        if not server:
            with sa.create_engine(url).connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        _templates[plugins] = url
        return url


def _admin_execute(server_url: str, *statements: str) -> None:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def fresh_database(plugins: Sequence[str], folder: Path) -> str:
    """Return the URL of a new database with the migrations of ``plugins`` (and the core) applied."""
    template = _template_for(tuple(sorted(plugins)))
    server = _server_url()
    if server:
        name = f"organet_t_{secrets.token_hex(6)}"
        template_name = sa.engine.make_url(template).database
        _admin_execute(server, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        _created_databases.append(name)
        return _with_database(server, name)
    target = folder / f"site-{secrets.token_hex(4)}.db"
    shutil.copyfile(template.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the PostgreSQL databases this process made; remove the SQLite templates."""
    server = _server_url()
    if server and _created_databases:
        try:
            _admin_execute(server, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                                     for name in reversed(_created_databases)))
        except Exception:  # noqa: S110 - cleaning up is best effort; the server may be gone
            pass
    shutil.rmtree(_work_dir, ignore_errors=True)


class OrganetClient(TestClient):
    """A test client that knows its CSRF token: ``client.submit(url, {...})`` posts a form with it."""

    @property
    def csrf(self) -> str:
        """This client's CSRF token, as the site would put it in a form."""
        site = self.app.state.site  # type: ignore[attr-defined]
        anchor = self.cookies.get("organet_session") or self.cookies.get(security.BROWSER_COOKIE)
        if not anchor:
            anchor = secrets.token_urlsafe(32)
            self.cookies.set(security.BROWSER_COOKIE, anchor)
        import hmac

        return hmac.new(str(site.config.site["secret_key"]).encode(), f"csrf:{anchor}".encode(),
                        hashlib.sha256).hexdigest()

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form to ``url`` with this client's CSRF token added."""
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf}, **kwargs)

    def api(self, method: str, url: str, **kwargs: Any) -> Any:
        """Call the JSON API with this client's session and CSRF header."""
        headers = {"x-csrf-token": self.csrf, "accept": "application/json", **kwargs.pop("headers", {})}
        return self.request(method, url, headers=headers, **kwargs)


def form_token(html: str) -> str:
    """Return the CSRF token found in a page's form (for tests that read it as a browser would)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise AssertionError("no csrf_token field in the page")
    return found.group(1)


@contextmanager
def db_session(app: Starlette) -> Iterator[Any]:
    """A session on the app's database, committed at the end of the block."""
    with app.state.site.db.session() as session:
        yield session


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Code run outside a request (imports, jobs, the CLI) speaks English in every test, whatever ran before.

    The language lives in a context variable; without this, a test would see the language a
    previous test in the same worker left behind.
    """
    from organet import i18n

    i18n.set_language("en")
    yield


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Starlette]]:
    """Factory: ``make_app(plugins=["phonebook"], site={...}, plugin_settings={...})`` → a started app.

    Admins need no second factor on a test site; ``make_app(require_second_factor=True)`` makes
    it required for admins as on a real site.

    Each app has its own freshly copied, migrated database and media folder; it is shut down
    after the test.
    """
    clients: list[TestClient] = []

    def factory(plugins: Sequence[str] = (), **sections: Any) -> Starlette:
        url = fresh_database(plugins, tmp_path)
        media = tmp_path / f"media-{len(clients)}"
        app = create_app(site_config(plugins, database_url=url, media_dir=str(media), **sections))
        app.state.site.state["activity_flush_seconds"] = 0  # tests read page views right after the page
        client = OrganetClient(app)
        client.__enter__()  # runs the lifespan: permissions seeded, caches warm
        clients.append(client)
        return app

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    """A site with only the core's plugins enabled."""
    return make_app()


def create_user(app: Starlette, username: str, *, role: str = "member", kind: str = "employee",
                password: str | None = None, groups: Sequence[str] = (), manager_of: Sequence[str] = (),
                given_name: str = "", tussenvoegsel: str = "", surname: str = "", email: str = "") -> User:
    """Create a person (and any groups named by slug that do not exist yet) and return them."""
    from organet.auth.passwords import hash_password

    with db_session(app) as session:
        user = User(username=username, email=email or f"{username}@example.org", role=role, kind=kind,
                    password_hash=hash_password(password) if password else None)
        user.set_name(given_name or username.capitalize(), tussenvoegsel, surname or "Tester")
        session.add(user)
        session.flush()
        for slug, member_role in [*((g, "member") for g in groups), *((g, "manager") for g in manager_of)]:
            group = session.scalar(sa.select(Group).where(Group.slug == slug))
            if group is None:
                group = Group(slug=slug, name=slug.replace("-", " ").title(), kind="department")
                session.add(group)
                session.flush()
            session.add(Membership(user_id=user.id, group_id=group.id, role=member_role))
        session.flush()
        user_id = user.id
    with db_session(app) as session:
        loaded = session.get(User, user_id)
        assert loaded is not None
        session.expunge(loaded)
        return loaded


@pytest.fixture
def make_user() -> Callable[..., User]:
    """Factory: ``make_user(app, "anna", role="member", groups=["wondzorg"], kind="employee")`` → User."""
    return create_user


def sign_in(app: Starlette, user: User) -> OrganetClient:
    """Return a test client signed in as ``user`` (a server-side session, as after a real sign-in)."""
    from organet.auth.models import SignInSession

    token = secrets.token_urlsafe(32)
    with db_session(app) as session:
        session.add(SignInSession(id_digest=security.digest(token), user_id=user.id, data={}))
    client = OrganetClient(app)
    client.cookies.set("organet_session", token)
    return client


@pytest.fixture
def client_for() -> Callable[..., OrganetClient]:
    """Factory: ``client_for(app, user)`` → a client signed in as ``user``; ``client_for(app)`` anonymous."""

    def factory(app: Starlette, user: User | None = None) -> OrganetClient:
        return sign_in(app, user) if user is not None else OrganetClient(app)

    return factory


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright) shared by the session's browser tests; skips without Chromium."""
    from organet.browser import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def live_url() -> Iterator[Callable[[Starlette], str]]:
    """Factory: ``live_url(app)`` serves the app on a loopback port and returns its base URL."""
    from contextlib import ExitStack

    from organet.browser import live_server

    with ExitStack() as stack:
        yield lambda app: stack.enter_context(live_server(app))


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page (1280 px wide); on failure a screenshot and the HTML go to test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    the_page = context.new_page()
    yield the_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        from organet.browser import save_artifacts

        save_artifacts(the_page, request.node.nodeid)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so the page fixture knows a test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in_page(page: Any, base_url: str, username: str, password: str) -> None:
    """Sign in through the real form in a browser page."""
    page.goto(base_url + "/login")
    page.get_by_label("Username or e-mail address").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def database_kind() -> str:
    """"postgresql" when the tests run on PostgreSQL, else "sqlite"."""
    return "postgresql" if _server_url() else "sqlite"


__all__ = ["OrganetClient", "create_user", "db_session", "fresh_database", "form_token", "sign_in",
           "site_config", "Database"]
