"""REST under /api (ask, quotes, speakers and speaker pages, documents, stats, admin ingest) and
the article page. ``?format=csv|json|md`` turns an answer, a quote list or a speaker page into a
file download.

Nothing here reads a path sent by a client: ingest over HTTP takes uploaded content, and URLs
only when the admin enables it (``QUOTEBOT_HTTP_URL_INGEST``), fetched under the SSRF guard.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool

from bot.core import Bot
from bot.export import Format, answer_to, check_format, file_name, hits_to
from bot.pages import MAX_QUOTES, speaker_page
from store.errors import NotFoundError
from ui.deps import BotDep
from ui.downloads import attachment

FormatQuery = Annotated[
    str,
    Query(
        max_length=20,
        description="csv, json or md: the same data as a file download (Content-Disposition).",
    ),
]
FILES = {  # what OpenAPI shows for the ?format= downloads
    200: {
        "content": {
            "application/json": {},
            "text/csv": {"schema": {"type": "string"}},
            "text/markdown": {"schema": {"type": "string"}},
        }
    }
}


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
    """Articles by value and/or web page and feed URLs (URLs need QUOTEBOT_HTTP_URL_INGEST)."""

    articles: list[UploadArticle] = Field(default_factory=list, max_length=500)
    urls: list[str] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _something(self) -> IngestRequest:
        if not self.articles and not self.urls:
            raise ValueError("send at least one of `articles` or `urls`")
        return self


def rest_router() -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", tags=["meta"])
    def healthz(bot: BotDep) -> dict[str, Any]:
        """Liveness plus index size; 503 if the store cannot be read."""
        return bot.health()

    @router.post("/api/ask", tags=["ask"], response_model=None, responses=FILES)
    def ask(body: AskRequest, bot: BotDep, format: FormatQuery = "") -> dict[str, Any] | Response:
        """The answer object of the CLI contract: answer text with [n] markers and cited quotes.
        With ``?format=csv|json|md``, the answer and its citations as a file."""
        fmt = _format(format)
        question = bot.check_question(body.question)
        history = [t.model_dump() for t in body.history]
        answer = bot.ask(question, history, body.id)
        if fmt:
            return attachment(answer_to(fmt, answer), fmt, file_name(question, fmt))
        return answer.to_dict()

    @router.get("/api/quotes", tags=["browse"], response_model=None, responses=FILES)
    def quotes(
        bot: BotDep,
        speaker: Annotated[str, Query(max_length=200)] = "",
        q: Annotated[str, Query(max_length=2000)] = "",
        doc_id: Annotated[str, Query(max_length=100)] = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        format: FormatQuery = "",
    ) -> dict[str, Any] | Response:
        """Quotes filtered by speaker (canonical or alias), text query and article; with
        ``?format=csv|json|md`` as a file."""
        fmt = _format(format)
        hits = bot.quotes(speaker=speaker, q=q, doc_id=doc_id, limit=limit)
        if fmt:
            about = speaker or q or doc_id or "quotes"
            text = hits_to(fmt, hits, heading=f"Quotes: {about}" if about != "quotes" else "Quotes")
            return attachment(text, fmt, file_name(about, fmt))
        return {"quotes": [h.citation() for h in hits]}

    @router.get("/api/speakers", tags=["browse"])
    def speakers(bot: BotDep) -> dict[str, Any]:
        """Canonical speaker names with their aliases and quote counts."""
        return {"speakers": bot.speakers()}

    @router.get("/api/speakers/{name}", tags=["browse"], response_model=None, responses=FILES)
    def speaker(
        bot: BotDep,
        name: Annotated[str, Path(max_length=200)],
        limit: Annotated[int, Query(ge=1, le=MAX_QUOTES)] = 500,
        format: FormatQuery = "",
    ) -> dict[str, Any] | Response:
        """A speaker page: every quote of the speaker ``name`` refers to (canonical name or
        alias, aliases merged), grouped by article oldest first, each repeated quote shown once
        with ``also_in``, and a ``timeline``; with ``?format=csv|json|md`` as a file."""
        fmt = _format(format)
        page = speaker_page(bot, name, limit)
        if fmt:
            return attachment(page.export(fmt), fmt, page.file_name(fmt))
        return page.to_dict()

    @router.get("/api/documents/{doc_id}", tags=["browse"])
    def document(doc_id: str, bot: BotDep) -> dict[str, Any]:
        """An article's full text and its quotes with offsets into that text (for highlighting)."""
        return document_dict(bot, doc_id)

    @router.get("/articles/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(doc_id: str, bot: BotDep) -> HTMLResponse:
        from ui.html import render_article

        return HTMLResponse(render_article(document_dict(bot, doc_id)))

    @router.get("/api/stats", tags=["browse"])
    def stats(bot: BotDep) -> dict[str, Any]:
        return bot.stats()

    @router.post("/api/ingest", tags=["admin"], dependencies=[Depends(require_admin)])
    def ingest(body: IngestRequest, request: Request, bot: BotDep) -> dict[str, Any]:
        """Index articles sent by value, and pages or feeds by URL when URL ingest is enabled;
        needs ``Authorization: Bearer <QUOTEBOT_ADMIN_TOKEN>``."""
        from ui.uploads import ingest_uploaded

        if body.urls and not bot.settings.http_url_ingest:
            raise HTTPException(
                403,
                "Fetching URLs over HTTP is off. Set QUOTEBOT_HTTP_URL_INGEST=true to enable it.",
            )
        with request.app.state.ingest_lock:
            return ingest_uploaded(bot, [a.model_dump() for a in body.articles], body.urls)

    @router.post("/api/ingest/files", tags=["admin"], dependencies=[Depends(require_admin)])
    async def ingest_upload(
        files: list[UploadFile], request: Request, bot: BotDep
    ) -> dict[str, Any]:
        """Index uploaded files (.txt, .md, .html, .jsonl); same token as ``/api/ingest``."""
        from ui.uploads import ingest_files

        data = [(f.filename or "", await f.read()) for f in files]

        def run() -> dict[str, Any]:
            with request.app.state.ingest_lock:
                return ingest_files(bot, data)

        return await run_in_threadpool(run)

    return router


def _format(name: str) -> Format | None:
    """No ``format``: the JSON body; else the export format (an unknown one is a 400)."""
    return check_format(name) if name.strip() else None


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
