"""The chain's view of the speaker table (``store.index.names``): who a user's words mean, the
name to show for a stored one, names in a text, pronoun genders — cached until the store changes.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from store.index import QuoteIndex
from store.index.names import NameReads, name_key, shown_under
from store.speakers import PRONOUNS, fold

_CAPITALISED = re.compile(r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|bin|al))*")


class People:
    """Speaker lookups for one index; every cache is dropped when the generation moves."""

    def __init__(self, index: QuoteIndex) -> None:
        self.index = index
        self._generation: str | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}
        self.names = NameReads(index.names.names)

    def refresh(self) -> None:
        """Called once per question: one Chroma read tells whether anything changed."""
        generation = self.index.generation()
        if generation != self._generation:
            with self._lock:
                self._cache.clear()
                self.names = NameReads(self.index.names.names)
                self._generation = generation

    def _memo(self, kind: str, key: str, compute: Any) -> Any:
        hit = self._cache.get((kind, key))
        if hit is None and (kind, key) not in self._cache:
            hit = compute()
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[(kind, key)] = hit
        return hit

    def rows(self, typed: str) -> list[dict[str, Any]]:
        """Speaker rows a user's words refer to, most quoted first."""
        return self._memo("rows", typed, lambda: self.names.lookup(typed))

    def speakers_for(self, typed: str) -> list[str]:
        """The stored names (as on quote records) of the speakers a user's words refer to, with
        the shorter names shown as one of them ("Dorothy Shea" also finds articles that only say
        "Ms Shea": their "Shea" is shown as "Dorothy Shea")."""
        return self._memo("forms", typed, lambda: self._forms(typed))

    def _forms(self, typed: str) -> list[str]:
        rows = self.rows(typed)
        names = self.names
        shown = set(self.canon_many([str(r["name"]) for r in rows]).values())
        own = {str(r["key"]) for r in rows}
        # Only a speaker shown under a found or shown name can be shown as one: "Shea" under
        # "Dorothy Shea", never every "… Trump" because "Clinton" found "Clinton and Trump".
        under: dict[str, list[str]] = {}
        for key in own | {name_key(s) for s in shown}:
            if key:
                under.setdefault(key.split()[-1], []).append(key)
        shorter = {
            k
            for last, keys in names._keys_for("t", under).items()
            for k in keys
            if k not in own and any(k == f or shown_under(k, f) for f in under[last])
        }
        extra = list(names.speakers(shorter).values())
        canon = self.canon_many([str(r["name"]) for r in extra])  # one batch of reads
        extra = [r for r in extra if canon[str(r["name"])] in shown]
        return names.forms([*rows, *extra])

    def canon(self, name: str) -> str:
        """The name to show for a stored one ("Putin" → "Vladimir Putin")."""
        if not name:
            return name
        return self.canon_many([name])[name]

    def canon_many(self, names: list[str]) -> dict[str, str]:
        """``canon`` for many names, with one batch of reads for those not cached yet."""
        todo = [n for n in dict.fromkeys(names) if n and ("canon", n) not in self._cache]
        if todo:
            for name, shown in self.names.display(todo).items():
                self._cache[("canon", name)] = shown
        return {n: self._cache.get(("canon", n), n) for n in names}

    def find_names(self, text: str) -> list[str]:
        """Known speakers named in a text (shown names), first mention first."""
        found: list[str] = []
        for m in _CAPITALISED.finditer(text):
            run = m.group(0).strip(" .")
            if len(run) < 3 or fold(run) in PRONOUNS:
                continue
            for name in self._memo("names", run, lambda r=run: _names_in(self, r)):
                if name not in found:
                    found.append(name)
        return found

    def get(self, name: str, default: str | None = None) -> str | None:
        """She/he evidence for a shown name (the ``gender`` mapping of resolve_references)."""
        value = self._memo("gender", name, lambda: self.names.gender(name))
        return value if value is not None else default

    def empty(self) -> bool:
        """Whether no quote is stored (a count costs ~20 ms at 236k records: once per change)."""
        return bool(self._memo("empty", "", lambda: self.index.quote_count() == 0))

    def publishers(self) -> list[str]:
        return list(self._memo("publishers", "", self.names.publishers))


def _ends_like(part: str, key: str) -> bool:
    """ "Shea" or "Camille Shea" names "Dorothy Camille Shea"; "Russian" does not name
    "Russian lawmakers" (a name is mentioned by its last word, the surname)."""
    words = name_key(part).split()
    return bool(words) and words[-1] == key.split()[-1]


def _names_in(people: People, run: str) -> list[str]:
    """The speaker a capitalised run names: the run itself, else its last one or two words."""
    words = run.split()[:5]
    for size in range(len(words), 0, -1):
        for start in range(0, len(words) - size + 1):
            part = " ".join(words[start : start + size])
            rows = [r for r in people.rows(part) if _ends_like(part, str(r["key"]))]
            if rows and len(part) >= 3:
                return [people.canon(str(rows[0]["name"]))]
    return []
