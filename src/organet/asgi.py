"""The ASGI entry point for uvicorn workers: ``uvicorn organet.asgi:app`` with ORGANET_CONFIG set."""

from __future__ import annotations

import os

from organet.app import create_app

app = create_app(os.environ.get("ORGANET_CONFIG", "organet.toml"),
                 run_jobs=os.environ.get("ORGANET_RUN_JOBS") == "1", worker=True)
