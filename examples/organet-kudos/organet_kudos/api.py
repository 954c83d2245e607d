"""The kudos JSON API under /api/kudos/v1: list the kudos (paginated) and give one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from organet import api, web
from organet_kudos import kudos
from organet_kudos.models import Kudo


class KudoIn(BaseModel):
    """A thank-you to give: the colleague's username and the message."""

    to: str = Field(min_length=1, max_length=80, examples=["sanne.devries"])
    message: str = Field(min_length=1, max_length=1000, examples=["Thanks for covering my shift!"])


class KudoOut(BaseModel):
    """A thank-you as the API shows it."""

    id: int
    giver: str
    receiver: str
    message: str
    created_at: dt.datetime

    @classmethod
    def of(cls, kudo: Kudo) -> KudoOut:
        return cls(id=kudo.id, giver=kudo.giver.username, receiver=kudo.receiver.username,
                   message=kudo.message, created_at=kudo.created_at)


def list_kudos(request: Request) -> dict[str, Any]:
    """GET /api/kudos/v1/kudos?page=1&per_page=20: the kudos, newest first, in organet's list shape."""
    return api.paginate(request, web.db(request), kudos.latest(), KudoOut.of)


def give_kudos(request: Request) -> JSONResponse:
    """POST /api/kudos/v1/kudos with a KudoIn body: 201 and the new kudo."""
    body: KudoIn = api.payload(request)
    kudo = kudos.give(web.db(request), web.user(request), body.to, body.message,
                      web.setting(request, "kudos", "max_length"))
    return JSONResponse(KudoOut.of(kudo).model_dump(mode="json"), status_code=201)
