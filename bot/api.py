"""The HTTP surface: REST under /api, OpenAI-compatible /v1, MCP at /mcp, the Gradio UI at /.

``create_app(settings)`` builds one FastAPI app around one ``Bot``; ``quotebot serve`` runs it.
Nothing here reads a path sent by a client: ingest over HTTP takes uploaded content only.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core import Bot
from bot.errors import ConfigError, InputError, NotFoundError, QuoteBotError, StoreError
from bot.settings import Settings

log = logging.getLogger("quotebot.api")
STATUS = {InputError: 400, NotFoundError: 404, StoreError: 503, ConfigError: 500}


class Turn(BaseModel):
    """One earlier message of the conversation."""

    role: str = Field(pattern="^(user|assistant|system)$")
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    """``POST /api/ask``: a question, optional earlier turns and a caller id echoed back."""

    question: str = Field(min_length=1, description="What to look for, e.g. who said X?")
    history: list[Turn] = Field(default_factory=list, max_length=50)
    id: str | int | None = None


class UploadArticle(BaseModel):
    """An article sent by value (never a server path) to ``POST /api/ingest``."""

    text: str = Field(min_length=1)
    title: str = ""
    url: str = ""
    publisher: str = ""
    published: str = ""


class IngestRequest(BaseModel):
    articles: list[UploadArticle] = Field(min_length=1, max_length=500)


def check_question(question: str, settings: Settings) -> str:
    """The question stripped; empty or oversized questions are an InputError."""
    text = question.strip()
    if not text:
        raise InputError("The question is empty. Send a non-empty `question` string.")
    if len(text) > settings.max_question_chars:
        raise InputError(
            f"The question is {len(text):,} characters long; the limit is "
            f"{settings.max_question_chars:,}. Ask a shorter question."
        )
    return text


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
    from bot.api_mcp import build_mcp
    from bot.api_openai import router as openai_router

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
    app.include_router(_rest_router())
    app.include_router(openai_router)
    app.router.routes.extend(mcp_app.routes)  # /mcp, served by the MCP session manager
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if ui:
        import gradio as gr

        from ui.chat import CSS, build_ui

        gr.mount_gradio_app(app, build_ui(bot, settings), path="", css=CSS, footer_links=["api"])
    return app


def get_bot(request: Request) -> Bot:
    return request.app.state.bot


BotDep = Annotated[Bot, Depends(get_bot)]


def _rest_router() -> Any:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/healthz", tags=["meta"])
    def healthz(bot: BotDep) -> dict[str, Any]:
        """Liveness plus index size; 503 if the store cannot be read."""
        articles, quotes = bot.index.counts()
        return {"status": "ok", "articles": articles, "quotes": quotes}

    @router.post("/api/ask", tags=["ask"])
    def ask(body: AskRequest, bot: BotDep) -> dict[str, Any]:
        """The answer object of the CLI contract: answer text with [n] markers and cited quotes."""
        question = check_question(body.question, bot.settings)
        history = [t.model_dump() for t in body.history]
        return bot.ask(question, history, body.id).to_dict()

    @router.get("/api/quotes", tags=["browse"])
    def quotes(
        bot: BotDep,
        speaker: Annotated[str, Query(max_length=200)] = "",
        q: Annotated[str, Query(max_length=2000)] = "",
        doc_id: Annotated[str, Query(max_length=100)] = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> dict[str, Any]:
        """Quotes filtered by speaker (canonical or alias), text query and article."""
        hits = bot.quotes(speaker=speaker, q=q, doc_id=doc_id, limit=limit)
        return {"quotes": [h.citation() for h in hits]}

    @router.get("/api/speakers", tags=["browse"])
    def speakers(bot: BotDep) -> dict[str, Any]:
        """Canonical speaker names with their aliases and quote counts."""
        return {"speakers": bot.speakers()}

    @router.get("/api/documents/{doc_id}", tags=["browse"])
    def document(doc_id: str, bot: BotDep) -> dict[str, Any]:
        """An article's full text and its quotes with offsets into that text (for highlighting)."""
        return document_dict(bot, doc_id)

    @router.get("/articles/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(doc_id: str, bot: BotDep) -> HTMLResponse:
        from ui.chat import render_article

        return HTMLResponse(render_article(document_dict(bot, doc_id)))

    @router.get("/api/stats", tags=["browse"])
    def stats(bot: BotDep) -> dict[str, Any]:
        return bot.stats()

    @router.post("/api/ingest", tags=["admin"], dependencies=[Depends(require_admin)])
    def ingest(body: IngestRequest, request: Request, bot: BotDep) -> dict[str, Any]:
        """Index articles sent by value; needs ``Authorization: Bearer <QUOTEBOT_ADMIN_TOKEN>``."""
        from bot.api_ingest import ingest_uploaded

        with request.app.state.ingest_lock:
            return ingest_uploaded(bot, [a.model_dump() for a in body.articles])

    @router.post("/api/ingest/files", tags=["admin"], dependencies=[Depends(require_admin)])
    async def ingest_upload(
        files: list[UploadFile], request: Request, bot: BotDep
    ) -> dict[str, Any]:
        """Index uploaded files (.txt, .md, .html, .jsonl); same token as ``/api/ingest``."""
        from bot.api_ingest import ingest_files

        data = [(f.filename or "", await f.read()) for f in files]

        def run() -> dict[str, Any]:
            with request.app.state.ingest_lock:
                return ingest_files(bot, data)

        return await run_in_threadpool(run)

    return router


def document_dict(bot: Bot, doc_id: str) -> dict[str, Any]:
    """``bot.document`` with its quotes as plain dicts (the REST shape)."""
    if not doc_id.isalnum() or len(doc_id) > 64:
        raise NotFoundError(f"No article with id {doc_id!r} is indexed (ids are hex strings).")
    doc = dict(bot.document(doc_id))
    doc["quotes"] = [{"id": h.id, **h.citation()} for h in doc.get("quotes", [])]
    return doc


def require_admin(request: Request, authorization: Annotated[str, Header()] = "") -> None:
    """Ingest over HTTP exists only when an admin token is configured, and needs it."""
    token = request.app.state.settings.admin_token
    if not token:
        raise HTTPException(
            403, "Ingest over HTTP is disabled. Set QUOTEBOT_ADMIN_TOKEN to enable it."
        )
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip(), token):
        raise HTTPException(
            401,
            "Ingest needs the admin token: send `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )


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
    bot.embedder.encode(["warm up"])
    _ = bot.chain
