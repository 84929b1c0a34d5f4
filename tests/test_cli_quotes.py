"""``quotebot quotes`` and ``quotebot ask --csv/--md`` through the real `quotebot` process."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from test_cli import quotebot

FAIR_GAME = "North Korean troops who enter Ukraine will be treated as fair game on the battlefield,"


def _store(bot: Any) -> str:
    return str(bot.settings.store)


def test_speaker_page_shows_timeline_and_articles_in_order(speaker_bot: Any) -> None:
    run = quotebot("quotes", "--speaker", "Ms Shea", "--store", _store(speaker_bot))
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Dorothy Shea: 9 quotes (7 distinct) in 4 articles")
    assert [ln.split()[0] for ln in lines[1:5]] == [
        "2024-10-01",
        "2024-10-15",
        "2024-11-02",
        "undated",
    ]
    heads = [ln for ln in lines if " · " in ln and not ln.startswith(("Dorothy", " "))]
    assert [h.split(" · ")[:2] for h in heads] == [
        ["2024-10-01", "Reuters"],
        ["2024-10-15", "Associated Press"],
        ["2024-11-02", "The Guardian"],
        ["undated", "Wire"],
    ]
    first = next(ln for ln in lines if ln.startswith("  [1]"))
    assert f"“{FAIR_GAME}”" in first and first.endswith("also in 2 articles")
    assert sum("again: “North Korean troops" in ln for ln in lines) == 2
    assert "=SUM(A1:A9) is *not* a <b>formula</b> | we [promise](x)" in run.stdout  # as typed


def test_speaker_page_as_csv(speaker_bot: Any) -> None:
    run = quotebot("quotes", "--speaker", "shea", "--csv", "--store", _store(speaker_bot))
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == 9 and {r["speaker"] for r in rows} == {"Dorothy Shea"}
    assert rows[0]["quote"] == FAIR_GAME and rows[0]["publisher"] == "Reuters"
    assert [r["published"][:10] for r in rows[:8]] == sorted(r["published"][:10] for r in rows[:8])
    assert rows[-1]["publisher"] == "Wire" and rows[-1]["published"] == ""  # undated last
    text = speaker_bot.document(rows[0]["doc_id"])["text"]
    assert text[int(rows[0]["start"]) : int(rows[0]["end"])] == FAIR_GAME


def test_query_list_as_json_and_markdown(speaker_bot: Any) -> None:
    store = _store(speaker_bot)
    listed = json.loads(quotebot("quotes", "-q", "fair game", "--json", "--store", store).stdout)
    assert {q["quote"] for q in listed["quotes"]} == {FAIR_GAME} and len(listed["quotes"]) == 3
    md = quotebot("quotes", "-q", "reckless step", "--md", "--store", store).stdout
    assert md.startswith("## Quotes\n\n1. **Dorothy Shea**: “This is a reckless step")
    assert "*Security Council clashes over North Korean deployment*, Associated Press" in md


def test_ask_exports_csv_and_markdown(speaker_bot: Any) -> None:
    store, question = _store(speaker_bot), "Who said this is a reckless step that widens the war?"
    rows = list(
        csv.DictReader(io.StringIO(quotebot("ask", "--csv", "--store", store, question).stdout))
    )
    assert rows[0]["question"] == question and rows[0]["abstained"] == "false"
    assert rows[0]["speaker"] == "Dorothy Shea"
    assert rows[0]["quote"] == "This is a reckless step that widens the war,"
    md = quotebot("ask", "--md", "--store", store, question).stdout
    assert md.startswith(f"## {question}\n") and "1. **Dorothy Shea**: “This is a reckless" in md


def test_bad_quotes_requests_are_sentences(speaker_bot: Any) -> None:
    store = _store(speaker_bot)
    for args, words in [
        (["quotes", "--speaker", "Angela Merkel"], "No speaker called 'Angela Merkel'"),
        (["quotes"], "give --speaker NAME, --query TEXT or --doc-id ID"),
        (["quotes", "--speaker", "Shea", "--csv", "--md"], "Choose one of --csv, --md or --json"),
        (["quotes", "--speaker", "Shea", "--limit", "0"], "limit must be between 1 and 1000"),
        (["ask", "--batch", "-", "--csv"], "use --json with --batch"),
    ]:
        run = quotebot(*args, "--store", store, check=False)
        assert run.returncode == 1, args
        assert words in run.stderr.replace("\n", " ") and "Traceback" not in run.stderr, args
