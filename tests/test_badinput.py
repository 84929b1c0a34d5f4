"""The bad-input matrix: each failure is named with its path and reason; the rest is ingested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import Bot
from bot.settings import Settings
from store.read import read_paths

ROOT = Path(__file__).resolve().parent.parent
GOOD = (
    "Mayor Ann Lee said on Monday that the bridge would reopen in May. "
    "“We are ready,” Lee told reporters."
)


def _errors(report: dict) -> dict[str, str]:
    return {Path(e["path"]).name: e["error"] for e in report["errors"]}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A directory holding every kind of bad input next to good files, ingested once."""
    root = tmp_path_factory.mktemp("bad")
    docs = root / "docs"
    (docs / "many").mkdir(parents=True)
    (docs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "latin1.txt").write_bytes("Le maire José Müller a dit « oui ».\n".encode("latin-1"))
    cp1252 = "Senator Jane Roe said the plan was “dead on arrival” — and meant it.\n"
    (docs / "cp1252.txt").write_bytes(cp1252.encode("cp1252"))
    (docs / "script.html").write_text(
        "<html><head><title>Bridge to reopen</title><script>var tracker = 'EVIL_JS';</script>"
        "</head><body><article><h1>Bridge to reopen</h1><p>" + GOOD + "</p>"
        "<script>document.write('EVIL_JS')</script><p>The works cost $4 million, the city "
        "said in a statement on its website.</p></article></body></html>",
        encoding="utf-8",
    )
    (docs / "huge.txt").write_text("The council met again today. " * 290_000, encoding="utf-8")
    (docs / "loop_a.txt").symlink_to(docs / "loop_b.txt")
    (docs / "loop_b.txt").symlink_to(docs / "loop_a.txt")
    (docs / "self").symlink_to(docs, target_is_directory=True)  # a directory loop
    lines = [
        json.dumps(
            {"text": GOOD.replace("May", "June"), "title": "Bridge", "publisher": "Gazette"}
        ),
        '{"text": "unterminated',
        json.dumps({"title": "no text field"}),
        "[1, 2, 3]",
        json.dumps({"text": "Officials said the bridge was safe, according to the report."}),
    ]
    (docs / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(100):
        (docs / "many" / f"note{i:03}.txt").write_text(
            f"Note {i}\nResident number {i} said the bridge closure added {i} minutes.\n",
            encoding="utf-8",
        )
    report = Bot.build(Settings(store=root / "store")).ingest([docs, root / "missing.txt"])
    return docs, report.to_dict()


def test_each_failure_is_named_with_a_reason(matrix: tuple[Path, dict]) -> None:
    _, report = matrix
    errors = _errors(report)
    assert "binary" in errors["binary.txt"]
    assert errors["empty.txt"] == "the file is empty"
    assert "limit is 1,000,000 per article" in errors["huge.txt"]
    assert "looping symbolic link" in errors["loop_a.txt"]
    assert "looping symbolic link" in errors["loop_b.txt"]
    assert errors["missing.txt"] == "no such file or directory"
    assert errors["feed.jsonl:2"].startswith("line 2 is not valid JSON")
    assert errors["feed.jsonl:3"] == 'line 3 has no "text" string field'
    assert errors["feed.jsonl:4"] == 'line 4 has no "text" string field'
    assert len(report["errors"]) == 9


def test_legacy_encodings_are_decoded_with_a_warning(matrix: tuple[Path, dict]) -> None:
    docs, report = matrix
    warnings = {Path(w["path"]).name: w["warning"] for w in report["warnings"]}
    assert warnings == {
        "latin1.txt": "not UTF-8; decoded as cp1252",
        "cp1252.txt": "not UTF-8; decoded as cp1252",
    }
    texts = {Path(a.source_path).name: a.text for a in read_paths([docs]) if hasattr(a, "text")}
    assert texts["latin1.txt"] == "Le maire José Müller a dit « oui »."
    assert "“dead on arrival” — and" in texts["cp1252.txt"]


def test_the_rest_is_ingested(matrix: tuple[Path, dict]) -> None:
    docs, report = matrix
    # 100 notes, latin-1, cp1252, the HTML page and two good JSONL lines.
    assert report["documents"] == 105
    assert report["quotes"] >= 100
    html = next(a for a in read_paths([docs / "script.html"]))
    assert "EVIL_JS" not in html.text and "tracker" not in html.text
    assert "“We are ready,” Lee told reporters." in html.text
    assert html.title == "Bridge to reopen"


def test_unreadable_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 stops a non-root user; as root, the kernel's refusal is replayed instead."""
    (tmp_path / "ok.txt").write_text(GOOD, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0o000)
    if os.geteuid() == 0:
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self == secret:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    items = list(read_paths([tmp_path]))
    problems = [i.to_dict() for i in items if not hasattr(i, "text")]
    assert problems == [
        {"path": str(secret), "error": "permission denied: quotebot cannot read this file"}
    ]
    assert [Path(i.source_path).name for i in items if hasattr(i, "text")] == ["ok.txt"]
    secret.chmod(0o600)


def test_cli_json_names_failures(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    (docs / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    quotebot = Path(sys.executable).parent / "quotebot"
    proc = subprocess.run(
        [str(quotebot), "ingest", "--json", "--store", str(tmp_path / "s"), str(docs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    assert report["documents"] == 1 and report["quotes"] >= 1
    assert report["errors"] == [
        {
            "path": str(docs / "bad.txt"),
            "error": "it looks like a binary file (it contains NUL bytes), not text",
        }
    ]
    assert "Traceback" not in proc.stderr


def test_an_extractor_failure_names_the_article(tmp_path: Path) -> None:
    """A bug in extraction on one article must not stop the run or show a traceback."""
    bot = Bot.build(Settings(store=tmp_path / "store"))
    real = bot.extractor

    class Fragile:
        def extract_many(self, texts, batch_size=16):
            for text in texts:
                if "EXPLODE" in text:
                    raise RuntimeError("parser fell over")
                yield from real.extract_many([text], batch_size)

    bot.__dict__["extractor"] = Fragile()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(GOOD, encoding="utf-8")
    (docs / "b.txt").write_text(f"EXPLODE\n{GOOD}", encoding="utf-8")
    report = bot.ingest([docs]).to_dict()
    assert report["documents"] == 1 and report["quotes"] >= 1
    assert report["errors"] == [
        {
            "path": str((docs / "b.txt").resolve()),
            "error": "quote extraction failed (RuntimeError: parser fell over)",
        }
    ]

    # A new version that cannot be extracted leaves the stored old version in place.
    (docs / "a.txt").write_text(f"EXPLODE\n{GOOD} Again.", encoding="utf-8")
    again = bot.ingest([docs]).to_dict()
    assert (again["documents"], again["replaced"], len(again["errors"])) == (0, 0, 2)
    assert [a["source_path"] for a in bot.index.list_articles()] == [
        str((docs / "a.txt").resolve())
    ]
