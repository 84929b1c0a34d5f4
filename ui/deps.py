"""FastAPI dependencies shared by the routers: the one Bot of the app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.core import Bot


def get_bot(request: Request) -> Bot:
    return request.app.state.bot


BotDep = Annotated[Bot, Depends(get_bot)]
