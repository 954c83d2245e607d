"""Serve one page many times in-process, without a server: for profilers and instruction counts.

    python -m bench.inprocess CONFIG PATH [N]          # N requests (default 300), CPU per request
    valgrind --tool=callgrind --callgrind-out-file=/dev/null python -m bench.inprocess CONFIG PATH N

The application is called directly as ASGI (lifespan, then ``N`` GET requests signed in as the
benchmark person of ``CONFIG``, a site written by a benchmark under bench/.cache/). Timings on a
shared machine drift by 2x from minute to minute; the instruction count callgrind prints does
not, so two runs with different ``N`` give the exact cost of one request:
``(count(N=40) - count(N=0)) / 40``. See docs/performance.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

WARM_UP = 5


async def _get(app: Any, path: str, cookie: str) -> int:
    """Run one GET through ``app`` and return its status."""
    route, _, query = path.partition("?")
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": route, "raw_path": route.encode(),
             "query_string": query.encode(), "root_path": "", "scheme": "http", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 5000), "headers": [(b"host", b"bench"), (b"cookie", cookie.encode())]}
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def serve(config: Path, path: str, count: int) -> None:
    """Start the site of ``config``, then request ``path`` ``count`` times and print the cost of one."""
    from bench.harness import bench_session
    from organet.app import create_app

    cookie = "organet_session=" + bench_session(config)["organet_session"]
    app = create_app(config)
    async with app.router.lifespan_context(app):
        status = await _get(app, path, cookie)
        if status != 200:
            raise SystemExit(f"{path} answered {status}; is the benchmark person allowed to see it?")
        for _ in range(WARM_UP):
            await _get(app, path, cookie)
        started = time.process_time()
        for _ in range(count):
            await _get(app, path, cookie)
        spent = time.process_time() - started
    if count:
        print(f"{path}: {spent / count * 1000:.2f} ms of CPU per request over {count} requests")


def main(argv: list[str]) -> int:
    """Parse ``CONFIG PATH [N]`` and serve."""
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    config = Path(argv[0])
    os.environ["ORGANET_CONFIG"] = str(config)
    asyncio.run(serve(config, argv[1], int(argv[2]) if len(argv) == 3 else 300))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
