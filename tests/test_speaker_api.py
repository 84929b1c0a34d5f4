"""``GET /api/speakers/{name}`` and ``?format=csv|json|md`` downloads, over a real server on
the speaker fixture (Dorothy Shea as "Dorothy Shea", "Ms Shea" and "Shea" in four articles)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from live_server import Live, speaker_server

from ui.downloads import content_disposition

pytestmark = pytest.mark.slow
FAIR_GAME = "North Korean troops who enter Ukraine will be treated as fair game on the battlefield,"
HOSTILE = "=SUM(A1:A9) is *not* a <b>formula</b> | we [promise](x)"


@pytest.fixture(scope="module")
def live(speaker_bot: Any, request: pytest.FixtureRequest) -> Live:
    return speaker_server(speaker_bot, request.config)


@pytest.fixture(scope="module")
def http(live: Live) -> httpx.Client:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client


def test_speaker_page_merges_aliases_and_groups_by_article(http: httpx.Client) -> None:
    r = http.get("/api/speakers/Ms Shea")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    page = r.json()
    assert page["speaker"] == "Dorothy Shea" and "Shea" in page["aliases"]
    assert (page["quotes"], page["distinct_quotes"], page["undated"]) == (9, 7, 1)
    assert [a["publisher"] for a in page["articles"]] == [
        "Reuters",
        "Associated Press",
        "The Guardian",
        "Wire",
    ]
    first = page["articles"][0]["quotes"][0]
    assert first["quote"] == FAIR_GAME
    assert first["also_in"] == sorted(a["doc_id"] for a in page["articles"][1:3])
    assert page["timeline"][0] == {"date": "2024-10-01", "quotes": 3}
    for name in ("shea", "Dorothy Shea"):
        assert http.get(f"/api/speakers/{name}").json()["quotes"] == 9


def test_unknown_speaker_is_a_404_sentence(http: httpx.Client) -> None:
    r = http.get("/api/speakers/Angela Merkel")
    assert r.status_code == 404
    assert r.json()["detail"].startswith("No speaker called 'Angela Merkel' is quoted")


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/speakers/Shea?format=xls", 400, "Unknown export format 'xls'; use csv, json or md."),
        ("/api/speakers/Shea?limit=0", 422, "Field `query.limit`"),
        ("/api/speakers/" + "a" * 201, 422, "Field `path.name`"),
        ("/api/quotes?speaker=Shea&format=pdf", 400, "Unknown export format 'pdf'"),
    ],
)
def test_bad_page_requests_get_a_sentence(
    http: httpx.Client, path: str, status: int, words: str
) -> None:
    r = http.get(path)
    assert r.status_code == status and words in r.json()["detail"]


def test_page_as_csv_holds_every_quote_verbatim_and_defused(http: httpx.Client) -> None:
    r = http.get("/api/speakers/Ms Shea", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        'attachment; filename="quotebot-dorothy-shea.csv"; '
        "filename*=UTF-8''quotebot-dorothy-shea.csv"
    )
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 9 and {row["speaker"] for row in rows} == {"Dorothy Shea"}
    assert [row["n"] for row in rows] == [str(n) for n in range(1, 10)]
    assert sum(row["quote"] == FAIR_GAME for row in rows) == 3  # repeats are listed too
    assert "'" + HOSTILE in {row["quote"] for row in rows}  # a spreadsheet shows it as text
    assert rows[0]["publisher"] == "Reuters" and rows[0]["published"] == "2024-10-01"
    doc = http.get(f"/api/documents/{rows[0]['doc_id']}").json()
    assert doc["text"][int(rows[0]["start"]) : int(rows[0]["end"])] == rows[0]["quote"]


def test_page_as_markdown_cites_each_quote(http: httpx.Client) -> None:
    r = http.get("/api/speakers/Shea", params={"format": "md"})
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert 'filename="quotebot-dorothy-shea.md"' in r.headers["content-disposition"]
    text = r.text
    assert text.startswith("## Quotes by Dorothy Shea\n")
    assert (
        "1. **Dorothy Shea**: “North Korean troops who enter Ukraine will be treated as fair game "
        "on the battlefield,” — *US envoy warns Pyongyang over troops*, Reuters, 2024\\-10\\-01 ("
    ) in text
    assert "\\*not\\* a &lt;b&gt;formula&lt;/b&gt; \\| we \\[promise\\]\\(x\\)" in text


def test_page_as_json_file_is_the_page(http: httpx.Client) -> None:
    r = http.get("/api/speakers/Shea", params={"format": "json"})
    assert r.headers["content-type"] == "application/json"
    assert 'filename="quotebot-dorothy-shea.json"' in r.headers["content-disposition"]
    assert json.loads(r.text) == http.get("/api/speakers/Shea").json()


def test_quotes_and_ask_download_too(http: httpx.Client) -> None:
    r = http.get("/api/quotes", params={"q": "fair game", "format": "csv"})
    assert 'filename="quotebot-fair-game.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 3 and {row["quote"] for row in rows} == {FAIR_GAME}
    question = "Who said the troops would be treated as fair game?"
    r = http.post("/api/ask", params={"format": "md"}, json={"question": question})
    assert r.status_code == 200 and r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert (
        "quotebot-who-said-the-troops-would-be-treated-as-fair-game.md"
        in (r.headers["content-disposition"])
    )
    assert r.text.startswith(f"## {question}\n") and "Sources:" in r.text
    assert "1. **Dorothy Shea**: “North Korean troops who enter Ukraine" in r.text
    plain = http.post("/api/ask", json={"question": question}).json()
    assert plain["quotes"][0]["speaker"] == "Dorothy Shea"  # no format: the JSON body as before


def test_openapi_lists_the_page_and_its_formats(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    page = paths["/api/speakers/{name}"]["get"]
    assert {p["name"] for p in page["parameters"]} == {"name", "limit", "format"}
    assert {"text/csv", "text/markdown"} <= set(page["responses"]["200"]["content"])


def test_content_disposition_keeps_any_letter() -> None:
    assert content_disposition("quotebot-josé-ñúñez.csv") == (
        'attachment; filename="quotebot-jos_-___ez.csv"; '
        "filename*=UTF-8''quotebot-jos%C3%A9-%C3%B1%C3%BA%C3%B1ez.csv"
    )
