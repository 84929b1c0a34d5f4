"""Helpers for tests that compare stores: a corpus with bad files, and every record of a store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MAYOR = "Bridge vote\nMayor Ann Lee said on Monday that the bridge would reopen in May."
UNION = "Port strike\nUnion leader Bo Chan said the strike would last a week, and “not a day more.”"
PATEL = "Rail fares\nMinister Raj Patel said fares would rise by 3 percent in January."


def mixed_corpus(root: Path) -> Path:
    """The four examples, a JSONL feed (one line broken), a duplicate, an empty and a binary
    file: several batches at batch size 2, and problems in known places."""
    docs = root / "docs"
    shutil.copytree(EXAMPLES, docs)
    lines = [json.dumps({"text": MAYOR}), '{"text": "unterminated', json.dumps({"text": UNION})]
    (docs / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (docs / "patel.txt").write_text(PATEL, encoding="utf-8")
    (docs / "patel copy.txt").write_text(PATEL, encoding="utf-8")  # same content, stored once
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    return docs


def records(index: Any) -> dict[str, Any]:
    """Every quote and article record of a QuoteIndex: ids, documents and metadata (without
    the ingest time), to compare stores built in different ways."""
    quotes = {id_: (doc, meta) for id_, meta, doc in index.iter_quotes()}
    articles = {}
    for article in index.list_articles():
        got = index.articles.get(ids=[article["doc_id"]], include=["documents"])
        meta = {k: v for k, v in article.items() if k != "ingested_at"}
        articles[article["doc_id"]] = (got["documents"][0], meta)
    return {"quotes": quotes, "articles": articles}


def pending_markers(index: Any) -> list[str]:
    """Pending-write markers left in the meta collection (a half-done batch leaves one)."""
    return list(index.meta.get(where={"kind": "pending"}, include=[])["ids"])
