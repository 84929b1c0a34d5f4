"""The HTTP server: REST under /api, OpenAI-compatible /v1, MCP at /mcp, the Gradio UI at /.

``create_app(settings)`` builds one FastAPI app around one ``Bot``; ``quotebot serve`` runs it.
Each surface is a module of its own that calls only the Bot facade.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core import Bot
from bot.settings import Settings
from store.errors import ConfigError, InputError, NotFoundError, QuoteBotError, StoreError
from ui.rest import rest_router

log = logging.getLogger("quotebot.api")
STATUS = {InputError: 400, NotFoundError: 404, StoreError: 503, ConfigError: 500}


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, with or without a Content-Length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:  # the server holds the client to the length it declared
            if not declared.isdigit() or int(declared) > self.limit:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        body, more = b"", True  # chunked: read up to the limit, then replay what was read
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse(send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = f"The request body is over the {self.limit:,}-byte limit; send less at once."
        response = JSONResponse({"detail": detail}, status_code=413)
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _install_error_handlers(app: FastAPI) -> None:
    """One boundary: quotebot errors and bad requests become 4xx/5xx with a ``detail`` sentence."""

    @app.exception_handler(QuoteBotError)
    async def quotebot_error(_: Request, exc: QuoteBotError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("Unhandled error while serving a request", exc_info=exc)
        detail = f"quotebot hit an unexpected {type(exc).__name__}; the server log has details."
        return JSONResponse({"detail": detail}, status_code=500)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            reason = errors[0].get("ctx", {}).get("error", "it cannot be parsed")
            return JSONResponse(
                {"detail": f"The request body is not valid JSON: {reason}."}, status_code=400
            )
        return JSONResponse({"detail": " ".join(_sentence(e) for e in errors)}, status_code=422)


def _sentence(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "the request body"
    return f"Field `{where}`: {error.get('msg', 'is invalid')}."


def create_app(settings: Settings, bot: Bot | None = None, ui: bool = True) -> FastAPI:
    """The whole server: REST, OpenAI-compatible chat, MCP and (unless ``ui=False``) Gradio."""
    from ui.mcp_tools import build_mcp
    from ui.openai_compat import router as openai_router

    bot = bot or Bot.build(settings)
    mcp_app = build_mcp(bot, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with mcp_app.router.lifespan_context(mcp_app):
            yield

    app = FastAPI(
        title="quotebot",
        version="1",
        summary="Who said it, verbatim, and in which article.",
        lifespan=lifespan,
    )
    app.state.bot, app.state.settings = bot, settings
    app.state.ingest_lock = threading.Lock()
    _install_error_handlers(app)
    app.include_router(rest_router())
    app.include_router(openai_router)
    app.router.routes.extend(mcp_app.routes)  # /mcp, served by the MCP session manager
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if ui:
        import gradio as gr

        from ui.chat import CSS, build_ui

        gr.mount_gradio_app(app, build_ui(bot, settings), path="", css=CSS, footer_links=["api"])
    return app


def run_server(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """``quotebot serve``: build the bot once, warm it up, and serve until interrupted."""
    import uvicorn

    bot = Bot.build(settings)
    warm_up(bot)
    # A factory: the app is built inside uvicorn's loop (Gradio would open stray loops otherwise).
    uvicorn.run(lambda: create_app(settings, bot), factory=True, host=host, port=port)


def warm_up(bot: Bot) -> None:
    """Load the embedder, open the index and build the chain before the first request."""
    bot.index.counts()
    bot.embedder.question("warm up")  # questions (numpy)
    bot.embedder.encode(["warm up"])  # ingest (torch): POST /api/ingest should not wait for it
    _ = bot.chain
