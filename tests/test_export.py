"""Exports: CSV safe against formula injection, Markdown that shows article text as typed."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.export import answer_to, check_format, file_name, hits_to, markdown_escape, safe_cell
from bot.types import Answer
from store.errors import InputError
from store.types import Hit


def _hit(quote: str, speaker: str = "Ann Lee", title: str = "T", start: int = 10) -> Hit:
    return Hit(
        id=f"d1:{start}:{start + len(quote)}",
        quote=quote,
        speaker=speaker,
        speaker_mention="Ms Lee",
        kind="direct",
        cue="said",
        doc_id="d1",
        title=title,
        publisher="Daily <News>",
        published="2024-10-01",
        source_path="/data/a.txt",
        start=start,
        end=start + len(quote),
        score=0.87654,
    )


HOSTILE = _hit('=HYPERLINK("http://x.test","click")', speaker="+Bob", title="@home -1")


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\uff1d1", "'\uff1d1"),
        ("a=1", "a=1"),
        ("plain", "plain"),
        (12, 12),
    ],
)
def test_formula_cells_are_defused(cell: object, shown: object) -> None:
    assert safe_cell(cell) == shown


def test_csv_of_a_quote_list_keeps_citations_and_defuses_formulas() -> None:
    text = hits_to("csv", [HOSTILE, _hit("fine, thanks")])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["quote"] == '\'=HYPERLINK("http://x.test","click")'
    assert rows[0]["speaker"] == "'+Bob" and rows[0]["title"] == "'@home -1"
    assert rows[1]["quote"] == "fine, thanks" and rows[1]["n"] == "2"
    assert (rows[1]["doc_id"], rows[1]["start"], rows[1]["end"]) == ("d1", "10", "22")
    assert rows[1]["publisher"] == "Daily <News>" and rows[1]["published"] == "2024-10-01"
    assert list(rows[0]) == [
        "n", "speaker", "speaker_mention", "quote", "kind", "cue", "title", "publisher",
        "published", "doc_id", "source_path", "start", "end",
    ]  # fmt: skip


def test_csv_of_an_answer_repeats_question_and_answer_on_each_citation() -> None:
    answer = Answer("Who said =it?", "Ann Lee said: “x” [1]", False, [_hit("x"), _hit("y")])
    rows = list(csv.DictReader(io.StringIO(answer_to("csv", answer))))
    assert [r["n"] for r in rows] == ["1", "2"] and [r["quote"] for r in rows] == ["x", "y"]
    assert {r["question"] for r in rows} == {"Who said =it?"} and rows[0]["abstained"] == "false"
    nobody = Answer("Who said it?", "No one in the indexed articles said that.", True)
    (row,) = csv.DictReader(io.StringIO(answer_to("csv", nobody)))
    assert row["abstained"] == "true" and row["quote"] == "" and row["answer"].startswith("No one")


def test_markdown_escapes_article_text() -> None:
    md = hits_to("md", [_hit("*bold* <script>alert(1)</script> [a](javascript:x) # | ok")], "By A")
    assert md.startswith("## By A\n\n1. **Ann Lee**: ")
    assert (
        r"“\*bold\* &lt;script&gt;alert\(1\)&lt;/script&gt; \[a\]\(javascript\:x\) \# \| ok”" in md
    )
    assert r"*T*, Daily &lt;News&gt;, 2024\-10\-01 (/data/a\.txt, chars 10–" in md
    assert "<script>" not in md and "](javascript" not in md
    assert markdown_escape("line one\nline two") == "line one<br>line two"


def test_markdown_answer_numbers_citations_like_the_markers() -> None:
    answer = Answer("Who said x?", "Ann Lee said: “x” [1]", False, [_hit("x")])
    md = answer_to("md", answer)
    assert md.splitlines()[:4] == ["## Who said x?", "", "Ann Lee said\\: “x” \\[1\\]", ""]
    assert "Sources:" in md and "\n1. **Ann Lee**: “x” — *T*" in md


def test_json_is_the_answer_contract() -> None:
    answer = Answer("Q?", "A [1]", False, [_hit("x")], id=7)
    assert json.loads(answer_to("json", answer)) == answer.to_dict()
    assert json.loads(hits_to("json", [HOSTILE]))["quotes"][0]["quote"] == HOSTILE.quote


def test_formats_and_file_names() -> None:
    assert [check_format(f) for f in ("csv", "JSON", "md", "markdown")] == [
        "csv", "json", "md", "md",
    ]  # fmt: skip
    with pytest.raises(InputError, match="Unknown export format 'xls'; use csv, json or md"):
        check_format("xls")
    assert file_name("Dorothy Camille Shea", "csv") == "quotebot-dorothy-camille-shea.csv"
    assert file_name("../../etc/passwd", "md") == "quotebot-etc-passwd.md"
    assert file_name("“”", "json") == "quotebot-quotes.json"
