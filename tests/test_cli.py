"""The CLI contract: JSON shapes other tools rely on, through the real `quotebot` process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES

SEED = EXAMPLES / "003_23247444e4f9a990.txt"


def quotebot(
    *args: str, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def test_extract_offsets_index_the_files_text() -> None:
    run = quotebot("extract", "--json", str(SEED))
    (line,) = run.stdout.splitlines()
    data = json.loads(line)
    text = SEED.read_text(encoding="utf-8")
    assert data["path"] == str(SEED)
    by_speaker = {q["speaker"] for q in data["quotes"]}
    assert {"Dorothy Camille Shea", "Vassily Nebenzia", "Kim Song"} <= by_speaker
    for q in data["quotes"]:
        assert text[q["start"] : q["end"]] == q["quote"]
        assert q["kind"] in {"direct", "indirect", "mixed"}
        if q["cue"]:
            assert text[q["cue"]["start"] : q["cue"]["end"]] == q["cue"]["text"]
        if q["speaker_mention"]:
            m = q["speaker_mention"]
            assert text[m["start"] : m["end"]] == m["text"]


def test_extract_reports_a_missing_file_and_goes_on(tmp_path: Path) -> None:
    run = quotebot("extract", "--json", str(tmp_path / "nope.txt"), str(SEED))
    first, second = (json.loads(x) for x in run.stdout.splitlines())
    assert first["quotes"] == [] and "nope.txt" in first["error"]
    assert second["quotes"]


def test_ingest_ask_remove_stats_round_trip(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    first = json.loads(quotebot("ingest", "--json", "--store", store, str(SEED), str(bad)).stdout)
    assert first["documents"] == 1 and first["skipped"] == 0 and first["quotes"] >= 5
    assert first["errors"] == [{"path": str(bad), "error": first["errors"][0]["error"]}]
    assert "binary" in first["errors"][0]["error"]

    again = json.loads(quotebot("ingest", "--json", "--store", store, str(SEED)).stdout)
    assert (again["documents"], again["skipped"], again["quotes"]) == (0, 1, 0)

    answer = json.loads(
        quotebot(
            "ask", "--json", "--store", store, "What did Nebenzia say about the US allegation?"
        ).stdout
    )
    assert not answer["abstained"]
    top = answer["quotes"][0]
    assert top["speaker"] == "Vassily Nebenzia" and "wholly unsubstantiated" in top["quote"]
    assert Path(top["source_path"]).name == SEED.name
    assert set(top) >= {
        "speaker",
        "speaker_mention",
        "quote",
        "kind",
        "cue",
        "doc_id",
        "title",
        "publisher",
        "source_path",
        "start",
        "end",
        "score",
    }

    stats = json.loads(quotebot("stats", "--json", "--store", store).stdout)
    assert stats["articles"] == 1 and stats["quotes"] == first["quotes"]

    removed = json.loads(quotebot("remove", "--json", "--store", store, str(SEED)).stdout)
    assert removed["removed"] == [top["doc_id"]]
    gone = quotebot("remove", "--store", store, "no-such-doc", check=False)
    assert gone.returncode == 1 and "no-such-doc" in gone.stderr and "Traceback" not in gone.stderr


def test_ask_batch_keeps_ids_and_reports_bad_lines(seeded_store: Path) -> None:
    lines = [
        json.dumps({"id": "a", "question": "Who called the treaty a breakthrough document?"}),
        "{not json",
        json.dumps({"id": 7, "question": "Who said Bitcoin would reach a million dollars?"}),
    ]
    run = quotebot(
        "ask", "--batch", "-", "--json", "--store", str(seeded_store), stdin="\n".join(lines) + "\n"
    )
    a, bad, c = (json.loads(x) for x in run.stdout.splitlines())
    assert a["id"] == "a" and a["quotes"][0]["speaker"] == "Vladimir Putin"
    assert bad["line"] == 2 and "line 2" in bad["error"]
    assert c["id"] == 7 and c["abstained"] is True and c["quotes"] == []


def test_ask_without_question_is_a_clear_error() -> None:
    run = quotebot("ask", check=False)
    assert run.returncode == 1 and "QUESTION" in run.stderr and "Traceback" not in run.stderr
