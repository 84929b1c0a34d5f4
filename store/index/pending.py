"""Writes that survive a killed process, and a counter that tells other processes of new data.

Every add or remove first writes a *pending* marker (its action, doc ids, host, pid, start time)
into the ``meta`` collection and deletes it when done; ``repair`` undoes the writes whose marker
was abandoned (its process is gone or its lease ran out). ``generation`` changes with every
finished write, so caches in other processes (speaker lookups) know when to drop.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Sequence
from typing import Any

LEASE_SECONDS = 3600
_PROCESS_STARTED = time.time()
DUMMY_VECTOR = [0.0] * 383 + [1.0]


class PendingWrites:
    """Mixed into ``QuoteIndex``: needs its ``meta``, ``quotes`` and ``lexicon`` collections."""

    meta: Any
    quotes: Any
    lexicon: Any
    has_articles: Any  # (doc_ids) -> the ones whose article record is written
    iter_quotes: Any

    def repair(self, full: bool = False) -> int:
        """Undo writes a killed process left half done; returns how many articles were cleaned.

        Only abandoned pending markers are looked at (their process is gone, or their lease ran
        out), so the cost does not grow with the store and live writers are left alone. ``full``
        also scans every quote record for one without its article record.
        """
        got = self.meta.get(where={"kind": "pending"}, include=["metadatas"])
        suspects: set[str] = set()
        markers = []
        for id_, meta in zip(got["ids"], got["metadatas"], strict=True):
            if _abandoned(meta):
                suspects |= set(str(meta.get("doc_ids", "")).split(",")) - {""}
                markers.append(id_)
        if full:
            suspects |= {m["doc_id"] for _, m, _ in self.iter_quotes(include_documents=False)}
        orphans = sorted(suspects - self.has_articles(sorted(suspects)))
        for i in range(0, len(orphans), 500):
            self.quotes.delete(where={"doc_id": {"$in": orphans[i : i + 500]}})
        self.lexicon.remove(orphans)
        if markers:
            self.meta.delete(ids=markers)
        if orphans:
            self.bump()
        return len(orphans)

    def marked(self) -> bool:
        """Whether any pending marker is left (a write under way, or a killed one's)."""
        return bool(self.meta.get(where={"kind": "pending"}, include=[], limit=1)["ids"])

    def writing(self) -> bool:
        """Whether a write is under way (a live process's pending marker)."""
        got = self.meta.get(where={"kind": "pending"}, include=["metadatas"])
        return any(not _abandoned(m) for m in got["metadatas"])

    def _begin(self, action: str, doc_ids: Sequence[str]) -> str:
        token = f"pending:{uuid.uuid4().hex}"
        meta = {
            "kind": "pending",
            "action": action,
            "doc_ids": ",".join(doc_ids),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": time.time(),
        }
        self.meta.upsert(
            ids=[token], documents=[action], metadatas=[meta], embeddings=[DUMMY_VECTOR]
        )
        return token

    def _finish(self, token: str) -> None:
        self.meta.delete(ids=[token])
        self.bump()

    # --- generation: lets other processes notice new data -------------------------------

    def generation(self) -> str:
        got = self.meta.get(ids=["generation"], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0].get("value", "0")) if metas and metas[0] else "0"

    def bump(self) -> None:
        self.meta.upsert(
            ids=["generation"],
            documents=["generation"],
            metadatas=[{"kind": "generation", "value": f"{time.time_ns()}"}],
            embeddings=[DUMMY_VECTOR],
        )


def _abandoned(meta: dict[str, Any]) -> bool:
    """A pending marker whose writer is dead (same host) or whose lease has run out."""
    if time.time() - float(meta.get("started", 0)) > LEASE_SECONDS:
        return True
    if meta.get("host") != socket.gethostname():
        return False
    pid = int(meta.get("pid", 0))
    if pid == os.getpid():  # ours, unless an earlier process had the same pid (containers)
        return float(meta.get("started", 0)) < _PROCESS_STARTED
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
