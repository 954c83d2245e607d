"""The shared cache and rate limits: in Redis when configured, else in the database; shared by every worker."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from organet import cache, ratelimit
from organet.app import create_app
from organet.cache.models import CacheEntry, Counter
from organet.cache.store import prune
from organet.db import utcnow
from organet.errors import Busy
from organet.testing import OrganetClient, db_session, site_config

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(params=["database", "redis"])
def backend(request):
    if request.param == "redis" and not redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    return request.param


def app_for(make_app, backend, **sections):
    site = {"redis_url": REDIS_URL} if backend == "redis" else {}
    return make_app(site=site, **sections)


def second_worker(app):
    """Another app (as another uvicorn worker would build) on the same database and Redis."""
    config = app.state.site.config
    other = create_app(site_config(database_url=config.site["database_url"], site={"redis_url":
                                   config.site["redis_url"]}))
    client = OrganetClient(other)
    client.__enter__()
    return other, client


def test_cached_value_is_seen_by_another_worker_until_deleted(make_app, backend):
    app = app_for(make_app, backend)
    site = app.state.site
    cache.set(site, "phonebook:count", {"people": 1234}, ttl=300)
    other, client = second_worker(app)
    try:
        assert cache.get(other.state.site, "phonebook:count") == {"people": 1234}
        cache.delete(other.state.site, "phonebook:count")
        assert cache.get(site, "phonebook:count") is None
    finally:
        client.__exit__(None, None, None)


def test_cache_in_the_callers_transaction(make_app):
    app = make_app()
    site = app.state.site
    with pytest.raises(RuntimeError), db_session(app) as session:
        cache.set(site, "k", 1, ttl=60, session=session)
        assert cache.get(site, "k", session=session) == 1
        raise RuntimeError("rolled back")
    assert cache.get(site, "k") is None


def test_expired_value_is_gone(make_app, backend):
    app = app_for(make_app, backend)
    site = app.state.site
    cache.set(site, "short", "lived", ttl=0.05)
    cache.set(site, "long", "lived", ttl=300)
    time.sleep(0.2)  # waiting past the expiry; what is asserted is only that it expired
    assert cache.get(site, "short") is None
    assert cache.get(site, "long") == "lived"


def test_a_long_key_fits(make_app, backend):
    app = app_for(make_app, backend)
    key = "search:" + "x" * 500
    cache.set(app.state.site, key, [1, 2], ttl=60)
    assert cache.get(app.state.site, key) == [1, 2]


def test_rate_limit_allows_the_limit_then_refuses(make_app, backend):
    app = app_for(make_app, backend)
    site = app.state.site
    start = 1_800_000_000.0
    results = [ratelimit.hit(site, None, "comment:anna", 3, 60, now=start + n) for n in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.hit(site, None, "comment:bram", 3, 60, now=start + 5)  # another key is another count
    assert ratelimit.hit(site, None, "comment:anna", 3, 60, now=start + 180)  # two windows later: open again


def test_rate_limit_is_shared_by_every_worker(make_app, backend):
    app = app_for(make_app, backend)
    other, client = second_worker(app)
    try:
        start = 1_800_000_000.0
        assert ratelimit.hit(app.state.site, None, "signin:10.0.0.1", 2, 60, now=start)
        assert ratelimit.hit(other.state.site, None, "signin:10.0.0.1", 2, 60, now=start + 1)
        assert not ratelimit.hit(app.state.site, None, "signin:10.0.0.1", 2, 60, now=start + 2)
    finally:
        client.__exit__(None, None, None)


def test_rate_limit_slides_instead_of_resetting_at_the_window_edge(make_app, backend):
    app = app_for(make_app, backend)
    site = app.state.site
    start = 1_800_000_000.0 - 1  # one second before a window ends
    assert all(ratelimit.hit(site, None, "upload:anna", 5, 60, now=start) for _ in range(5))
    # Two seconds later a fixed window would allow five more; the previous window still counts almost fully.
    assert not ratelimit.hit(site, None, "upload:anna", 5, 60, now=start + 2)


def test_concurrent_hits_allow_exactly_the_limit(make_app, backend):
    app = app_for(make_app, backend)
    site = app.state.site
    allowed = []
    errors = []
    start = 1_800_000_000.0

    def attempt():
        for _try in range(20):  # "busy, try again": a rolled-back hit did not count, so trying again is right
            try:
                with site.db.write_session() as session:
                    result = ratelimit.hit(site, session, "booking:room-3", 5, 3600, now=start)
                allowed.append(result)
                return
            except Busy:
                continue
            except Exception as error:  # surfaced below
                errors.append(error)
                return
        errors.append(RuntimeError("still busy after 20 tries"))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert allowed.count(True) == 5


def test_redis_that_does_not_answer_falls_back_to_the_database(make_app, client_for):
    app = make_app(site={"redis_url": "redis://127.0.0.1:1/0"})  # nothing listens on port 1
    site = app.state.site
    cache.set(site, "k", 1, ttl=60)
    assert cache.get(site, "k") is None  # a miss, not an error
    start = 1_800_000_000.0
    assert [ratelimit.hit(site, None, "x", 1, 60, now=start + n) for n in range(2)] == [True, False]
    health = client_for(app).get("/healthz")
    assert health.status_code == 200
    assert "using the database" in health.json()["checks"]["redis"]["detail"]


def test_prune_removes_only_what_expired(make_app):
    app = make_app()
    site = app.state.site
    cache.set(site, "old", 1, ttl=0.01)
    cache.set(site, "new", 2, ttl=300)
    ratelimit.hit(site, None, "ancient", 1, 1, now=1_000_000.0)
    time.sleep(0.05)
    with db_session(app) as session:
        assert prune(session, utcnow()) == 2
        assert [e.key for e in session.query(CacheEntry)] == ["new"]
        assert session.query(Counter).count() == 0


def test_rate_limit_refuses_nonsense_limits(make_app):
    app = make_app()
    with pytest.raises(ValueError):
        ratelimit.hit(app.state.site, None, "x", 0, 60)
