"""REST endpoints against a real uvicorn server on 127.0.0.1 over the seeded example store."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from live_server import Live, live_server, start

from bot.core import Bot
from bot.settings import Settings

pytestmark = pytest.mark.slow
SEED_Q = "Who said the treaty is very timely?"
RUDENKO = "Andrei Rudenko"


@pytest.fixture(scope="module")
def live(seeded_store: Path, request: pytest.FixtureRequest) -> Live:
    return live_server(seeded_store, request.config)


@pytest.fixture(scope="module")
def http(live: Live) -> httpx.Client:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client


def test_healthz_counts_the_seeded_store(http: httpx.Client) -> None:
    body = http.get("/healthz").json()
    assert body["status"] == "ok" and body["articles"] == 4 and body["quotes"] >= 20


def test_ask_returns_the_verbatim_quote_and_speaker(http: httpx.Client) -> None:
    r = http.post("/api/ask", json={"question": SEED_Q, "id": "q1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "q1" and body["question"] == SEED_Q and not body["abstained"]
    top = body["quotes"][0]
    assert top["speaker"] == RUDENKO
    assert top["quote"].startswith("I believe this treaty is very timely")
    assert "[1]" in body["answer"]
    doc = http.get(f"/api/documents/{top['doc_id']}").json()
    assert doc["text"][top["start"] : top["end"]] == top["quote"]  # verbatim and checkable


def test_ask_abstains_when_nobody_said_it(http: httpx.Client) -> None:
    body = http.post("/api/ask", json={"question": "Who said the moon is made of cheese?"}).json()
    assert body["abstained"] is True and body["quotes"] == []


def test_ask_accepts_history(http: httpx.Client) -> None:
    history = [{"role": "user", "content": SEED_Q}, {"role": "assistant", "content": "Rudenko [1]"}]
    r = http.post("/api/ask", json={"question": "What else did Rudenko say?", "history": history})
    assert r.status_code == 200, r.text
    assert all(q["speaker"] == RUDENKO for q in r.json()["quotes"])


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"question": ', 400, "not valid JSON"),
        (b'{"question": "   "}', 400, "question is empty"),
        (b'{"question": "' + b"a" * 2001 + b'"}', 400, "the limit is 2,000"),
        (b'{"q": "who"}', 422, "Field `question`"),
        (b'{"question": "who", "history": [{"role": "robot", "content": "x"}]}', 422, "history"),
        (b'{"question": "' + b"a" * 250_000 + b'"}', 413, "200,000-byte limit"),
    ],
)
def test_bad_ask_requests_get_a_sentence(
    http: httpx.Client, body: bytes, status: int, words: str
) -> None:
    r = http.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]


def test_chunked_oversized_body_is_refused(http: httpx.Client) -> None:
    def chunks():  # no Content-Length: the limit must still hold
        for _ in range(30):
            yield b"x" * 10_000

    r = http.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_quotes_filter_by_speaker_and_article(http: httpx.Client) -> None:
    by_speaker = http.get("/api/quotes", params={"speaker": RUDENKO}).json()["quotes"]
    assert by_speaker and {q["speaker"] for q in by_speaker} == {RUDENKO}
    doc_id = by_speaker[0]["doc_id"]
    in_doc = http.get("/api/quotes", params={"doc_id": doc_id, "limit": 3}).json()["quotes"]
    assert 1 <= len(in_doc) <= 3 and {q["doc_id"] for q in in_doc} == {doc_id}
    r = http.get("/api/quotes", params={"limit": 0})
    assert r.status_code == 422 and "limit" in r.json()["detail"]


def test_speakers_lists_canonical_names_with_counts(http: httpx.Client) -> None:
    speakers = {s["speaker"]: s for s in http.get("/api/speakers").json()["speakers"]}
    assert speakers[RUDENKO]["quotes"] >= 2
    assert isinstance(speakers[RUDENKO]["aliases"], list)


def test_document_has_text_and_quote_offsets(http: httpx.Client) -> None:
    hit = http.get("/api/quotes", params={"speaker": RUDENKO}).json()["quotes"][0]
    doc = http.get(f"/api/documents/{hit['doc_id']}").json()
    assert doc["doc_id"] == hit["doc_id"] and doc["title"] == hit["title"]
    assert doc["quotes"] and all(
        doc["text"][q["start"] : q["end"]] == q["quote"] for q in doc["quotes"]
    )
    page = http.get(f"/articles/{hit['doc_id']}")
    assert page.status_code == 200 and f'<mark id="q-{hit["start"]}"' in page.text


@pytest.mark.parametrize(
    "doc_id", ["0000000000000000", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd"]
)
def test_unknown_or_path_like_doc_ids_are_404(http: httpx.Client, doc_id: str) -> None:
    r = http.get(f"/api/documents/{doc_id}")
    assert r.status_code == 404 and r.json()["detail"]
    assert "root:" not in r.text


def test_openapi_documents_every_endpoint(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    for path in (
        "/api/ask",
        "/api/quotes",
        "/api/speakers",
        "/api/documents/{doc_id}",
        "/healthz",
        "/api/ingest",
        "/v1/chat/completions",
    ):
        assert path in paths
    assert "history" in str(http.get("/openapi.json").json()["components"]["schemas"]["AskRequest"])


def test_ingest_is_off_without_an_admin_token(http: httpx.Client) -> None:
    r = http.post(
        "/api/ingest", json={"articles": [{"text": "x"}]}, headers={"Authorization": "Bearer x"}
    )
    assert r.status_code == 403 and "QUOTEBOT_ADMIN_TOKEN" in r.json()["detail"]


NEW_ARTICLE = (
    "Town to rebuild bridge\n"
    "The mayor of Riverton, Maria Lopez, spoke on Monday after the storm.\n"
    "“We will rebuild the old bridge before the first snow falls,” Lopez said.\n"
)


@pytest.fixture(scope="module")
def admin(live: Live, tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    """A second server on an empty store, with an admin token, for ingest over HTTP."""
    settings = Settings(store=tmp_path_factory.mktemp("ingest_store"), admin_token="s3cret")
    bot = Bot.build(settings)
    bot.__dict__["extractor"] = live.bot.extractor  # share the loaded spaCy pipeline
    url, server = start(settings, bot)
    with httpx.Client(base_url=url, timeout=120) as client:
        yield client
    server.should_exit = True


def test_ingest_needs_the_right_token(admin: httpx.Client) -> None:
    body = {"articles": [{"text": NEW_ARTICLE}]}
    assert admin.post("/api/ingest", json=body).status_code == 401
    r = admin.post("/api/ingest", json=body, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]


def test_ingest_json_articles_then_ask(admin: httpx.Client) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    body = {
        "articles": [
            {"text": NEW_ARTICLE, "publisher": "Riverton Post", "url": "https://r.example/1"}
        ]
    }
    report = admin.post("/api/ingest", json=body, headers=auth).json()
    assert report["documents"] == 1 and report["quotes"] >= 1 and not report["errors"]
    assert admin.post("/api/ingest", json=body, headers=auth).json()["skipped"] == 1
    answer = admin.post("/api/ask", json={"question": "Who said they would rebuild the bridge?"})
    top = answer.json()["quotes"][0]
    assert top["speaker"] == "Maria Lopez" and top["publisher"] == "Riverton Post"
    assert top["source_path"] == "upload:https://r.example/1"


def test_ingest_uploaded_files_reports_bad_ones(admin: httpx.Client) -> None:
    files = [
        ("files", ("../../etc/story.txt", NEW_ARTICLE.replace("Monday", "Tuesday").encode())),
        ("files", ("tool.exe", b"MZ\x00\x00")),
        ("files", ("empty.txt", b"")),
    ]
    r = admin.post("/api/ingest/files", files=files, headers={"Authorization": "Bearer s3cret"})
    report = r.json()
    assert r.status_code == 200 and report["documents"] == 1
    errors = {e["path"]: e["error"] for e in report["errors"]}
    assert "not one of" in errors["tool.exe"] and "empty" in errors["upload:empty.txt"]
    doc_ids = {
        q["doc_id"] for q in admin.get("/api/quotes", params={"q": "bridge"}).json()["quotes"]
    }
    sources = {admin.get(f"/api/documents/{d}").json()["source_path"] for d in doc_ids}
    assert "upload:story.txt" in sources  # base name only: no client path reaches the disk
