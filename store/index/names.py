"""The speaker, publisher and article-title tables, kept in Chroma beside the quotes.

Updated with every write and removal (never rebuilt from all records), and read by id or by
small ``where`` lookups, so a question costs a few Chroma reads whatever the corpus size, and every
process on one Chroma server sees the same tables. Records of the ``names`` collection:

- ``n:<key>``: one speaker (key = name without titles, case or accents): the stored name forms,
  quote and article counts, she/he evidence, aliases seen (mentions such as "Ms Shea").
- ``t:<token>:<key>`` and ``r:<token>:<key>``: one word of the speaker's name / role, so "Putin",
  "Nebenzia" or "US ambassador" find the speakers they may mean.
- ``p:<publisher>``, ``a:<doc_id>``: publishers and article titles, for source filters and pickers.

Counts are updated read-modify-write per batch: exact with one writer, approximate (never negative)
when several ingest workers write at once; they only order speakers, they never filter quotes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from store.extract.given import is_given_name
from store.index.records import Record
from store.speakers import PRONOUNS, canonical_key, described, fold, surname_matches

DUMMY = [0.0] * 383 + [1.0]
_SEP = "|"
_GENDER = {"she": "f", "her": "f", "ms": "f", "mrs": "f", "he": "m", "him": "m", "mr": "m"}
MAX_FORMS = 12
_GROUP = {"and", "&"}  # a name holding these names several speakers


def name_key(name: str) -> str:
    return canonical_key(name).replace(".", "")


def shown_under(key: str, fuller: str) -> bool:
    """Whether a speaker may be shown under a fuller speaker's name: its words and more, ending
    alike, at most four words, and never a group of speakers ("Sanders" is not shown as "Hillary
    and Bernie Sanders")."""
    words, more = key.split(), fuller.split()
    return (
        bool(words)
        and more[-1] == words[-1]
        and set(words) < set(more)
        and len(more) <= 4
        and _GROUP & set(more) <= set(words)
    )


def shown_key(key: str, rows: Mapping[str, dict[str, Any]], name: str = "") -> str:
    """The speaker (among rows by key, named by ``row_name`` as ``speakers`` and ``search``
    give them) whose name a speaker key is shown under; ``name`` is the key's own spelling when
    it has no row. See ``NameTable.display``:

    - a descriptor before a more quoted full name is dropped ("Rival Hillary Clinton");
    - a description is shown as it is ("party officials", never "Democratic Party officials");
    - a name with a given name only gains initials or middle names quoted as often
      ("Donald J. Trump"), so "Hillary Clinton" is never "Rival Hillary Clinton";
    - a one-word name gets the most quoted fuller one ("Putin" → "Vladimir Putin"), a longer
      one (a two-word surname, a newspaper) one with forenames before it ("Marine Le Pen") or
      quoted as often ("Aung San Suu Kyi"; never "Enter The Washington Post").
    """

    def quotes(k: str) -> int:
        return int(rows.get(k, {}).get("quotes", 0))

    words = key.split()
    if _descriptor_first(words) and quotes(" ".join(words[1:])) >= quotes(key):
        key, words = " ".join(words[1:]), words[1:]
    own = rows.get(key)
    if described(str(own["name"]) if own else name):
        return key

    def fits(k: str) -> bool:
        if not shown_under(key, k) or described(str(rows[k]["name"])):
            return False  # a name is never shown as a description ("Sanders" ≠ "Sanders camp")
        more = k.split()
        forenames = all(len(w) == 1 or is_given_name(w) for w in set(more) - set(words))
        if len(words) == 1:
            return True
        if is_given_name(words[0]):
            return more[0] == words[0] and forenames and quotes(k) >= quotes(key)
        if forenames and more[-len(words) :] == words:  # "Marine Le Pen" for "Le Pen"
            return True
        return quotes(k) >= quotes(key)

    # Most quoted, then the shortest name, then the first alphabetically.
    best = min(
        (k for k in rows if fits(k)),
        key=lambda k: (-quotes(k), len(str(rows[k]["name"])), str(rows[k]["name"])),
        default=None,
    )
    return best or key


def _display(forms: list[str]) -> str:
    """The name shown for a speaker's stored forms ("U.S." / "US"): the fullest spelling, so it
    does not depend on which form was written first (several ingest workers write in any
    order); a headline's capitals only when there is no other ("HILLARY CLINTON")."""

    def shouted(form: str) -> bool:
        return form.isupper() and len(form.split()) > 1

    return max(forms, key=lambda f: (not shouted(f), len(f), sum(c.isupper() for c in f), f))


def row_name(row: dict[str, Any]) -> str:
    """The name to show for a speaker row: its stored name, or a better-cased stored form (rows
    written before ``_display`` stopped preferring capitals keep "HILLARY CLINTON")."""
    return _display([str(row["name"]), *_split(row.get("forms"))])


def _descriptor_first(words: list[str]) -> bool:
    """ "rival hillary clinton": a word that is no given name before a given name and surname."""
    return len(words) >= 3 and not is_given_name(words[0]) and is_given_name(words[1])


def _split(value: Any) -> list[str]:
    return [v for v in str(value or "").split(_SEP) if v]


class NameTable:
    """Speakers, publishers and titles in one Chroma collection (see the module docstring)."""

    def __init__(self, collection: Any) -> None:
        self.names = collection

    # --- writing ---------------------------------------------------------------------------

    def add(self, records: Sequence[Record], articles: Sequence[dict[str, Any]] = ()) -> None:
        """Count the speakers of new quote records; register their publishers and titles."""
        self._update(records, +1)
        extra: dict[str, tuple[str, dict[str, Any]]] = {}
        for a in articles:
            if a.get("publisher"):
                extra[f"p:{a['publisher']}"] = (fold(a["publisher"]), {"kind": "publisher"})
            text = fold(f"{a.get('title', '')} · {a.get('publisher', '')}")
            meta = {k: a.get(k, "") for k in ("doc_id", "title", "publisher", "published")}
            extra[f"a:{a['doc_id']}"] = (text, {"kind": "article", **meta})
        for key, (_, meta) in extra.items():
            meta["name"] = a_name = key[2:]  # the publisher, or the doc id
            del a_name
        known = self._stored([i for i in extra if i.startswith("p:")])  # a publisher stays as is
        self._upsert({i: row for i, row in extra.items() if i not in known})

    def remove(self, records: Sequence[dict[str, Any]], doc_ids: Sequence[str]) -> None:
        """Un-count the speakers of removed quote records (their metadata) and drop titles."""
        self._update([Record("", "", m) for m in records], -1)
        if doc_ids:
            self.names.delete(ids=[f"a:{d}" for d in doc_ids])

    def _update(self, records: Sequence[Record], sign: int) -> None:
        batch: dict[str, dict[str, Any]] = {}
        for r in records:
            m = r.metadata
            name = str(m.get("speaker", ""))
            key = name_key(name)
            if not key:
                continue
            row = batch.setdefault(
                key,
                {
                    "forms": Counter(),
                    "docs": set(),
                    "f": 0,
                    "m": 0,
                    "aliases": set(),
                    "roles": set(),
                    "quotes": 0,
                },
            )
            row["forms"][name] += 1
            row["quotes"] += 1
            row["docs"].add(m.get("doc_id", ""))
            mention = str(m.get("speaker_mention", ""))
            first = fold(mention).split()[:1]
            if first and first[0].strip(".") in _GENDER:
                row[_GENDER[first[0].strip(".")]] += 1
            if mention and fold(mention) not in PRONOUNS and mention != name:
                row["aliases"].add(mention)
            row["roles"] |= set(re.findall(r"\w+", fold(str(m.get("speaker_role", "")))))
        if not batch:
            return
        ids = [f"n:{k}" for k in batch]
        got = self.names.get(ids=ids, include=["metadatas"])
        old = {i[2:]: dict(meta) for i, meta in zip(got["ids"], got["metadatas"], strict=True)}
        rows: dict[str, tuple[str, dict[str, Any]]] = {}
        gone: list[str] = []
        for key, row in batch.items():
            prev = old.get(key, {})
            quotes = max(0, int(prev.get("quotes", 0)) + sign * row["quotes"])
            if quotes == 0:
                gone.append(key)
                continue
            forms = list(dict.fromkeys(_split(prev.get("forms")) + list(row["forms"])))
            aliases = set(_split(prev.get("aliases"))) | (row["aliases"] if sign > 0 else set())
            name = _display(forms + [str(prev["name"])] if prev.get("name") else forms)
            meta = {
                "kind": "name",
                "name": name,
                "key": key,
                "forms": _SEP.join(forms[:MAX_FORMS]),
                "aliases": _SEP.join(sorted(aliases)[:MAX_FORMS]),
                "quotes": quotes,
                "articles": max(1, int(prev.get("articles", 0)) + sign * len(row["docs"])),
                "f": max(0, int(prev.get("f", 0)) + sign * row["f"]),
                "m": max(0, int(prev.get("m", 0)) + sign * row["m"]),
            }
            rows[f"n:{key}"] = (fold(" ".join([name, *aliases])), meta)
            if not prev:
                words = key.split()
                for n, token in enumerate(words):
                    last = n == len(words) - 1
                    meta_t = {"kind": "token", "tk": f"t:{token}", "key": key, "last": last}
                    rows[f"t:{token}:{key}"] = (token, meta_t)
            for token in row["roles"]:
                rows[f"r:{token}:{key}"] = (token, {"kind": "role", "tk": f"r:{token}", "key": key})
        # A role record is the same whenever it is written: write only those not stored yet.
        known = self._stored([i for i in rows if i.startswith("r:")])
        self._upsert({i: row for i, row in rows.items() if i not in known})
        self._index_words(rows, gone)
        for key in gone:
            self.names.delete(where={"key": key})
            self.names.delete(ids=[f"n:{key}"])

    def _index_words(self, rows: dict[str, tuple[str, Any]], gone: list[str]) -> None:
        """``T:<t|r>:<word>`` records: every speaker key with that word, read by id in one get
        (the per-pair ``t:``/``r:`` records stay the exact answer; see ``_keys_for``)."""
        added: dict[str, set[str]] = {}
        for rid, (_, meta) in rows.items():
            if rid[:2] in ("t:", "r:"):
                added.setdefault(f"T:{meta['tk']}", set()).add(str(meta["key"]))
        removed = {f"T:t:{w}": {k} for k in gone for w in k.split()}
        ids = sorted(set(added) | set(removed))
        if not ids:
            return
        got = self.names.get(ids=ids, include=["metadatas"])
        old = {
            i: set(_split(m.get("keys"))) for i, m in zip(got["ids"], got["metadatas"], strict=True)
        }
        merged = {}
        for i in ids:
            keys = (old.get(i, set()) | added.get(i, set())) - removed.get(i, set())
            if i not in old or keys != old[i]:  # unchanged records are not written again
                merged[i] = (i, {"kind": "words", "keys": _SEP.join(sorted(keys))})
        self._upsert(merged)

    def _stored(self, ids: list[str]) -> set[str]:
        """Which of these record ids exist (one read by id)."""
        return set(self.names.get(ids=ids, include=[])["ids"]) if ids else set()

    def _upsert(self, rows: dict[str, tuple[str, dict[str, Any]]]) -> None:
        items = list(rows.items())
        for i in range(0, len(items), 1000):
            chunk = items[i : i + 1000]
            self.names.upsert(
                ids=[k for k, _ in chunk],
                documents=[doc or k for k, (doc, _) in chunk],
                metadatas=[meta for _, (_, meta) in chunk],
                embeddings=[DUMMY] * len(chunk),
            )

    # --- reading ---------------------------------------------------------------------------

    def speakers(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``n:`` records by key."""
        ids = [f"n:{k}" for k in dict.fromkeys(keys) if k]
        if not ids:
            return {}
        got = self.names.get(ids=ids, include=["metadatas"])
        return {
            i[2:]: {**m, "name": row_name(m)}
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        }

    def _keys_with(self, kind: str, token: str) -> set[str]:
        """Speakers with this word in their name (``token``) or role (``role``)."""
        return self._keys_for(kind[0], [token]).get(token, set())

    def _keys_for(self, kind: str, tokens: Iterable[str]) -> dict[str, set[str]]:
        """Word → speaker keys, for many words: one read by id of the ``T:`` records; words
        without one (a store written before them) fall back to matching ``t:``/``r:`` records."""
        tokens = sorted(set(tokens))
        if not tokens:
            return {}
        got = self.names.get(ids=[f"T:{kind}:{t}" for t in tokens], include=["metadatas"])
        out = {
            i.split(":", 2)[2]: set(_split(m.get("keys")))
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        }
        missing = [t for t in tokens if t not in out]
        if missing:
            found = self.names.get(
                where={"tk": {"$in": [f"{kind}:{t}" for t in missing]}}, include=["metadatas"]
            )
            for m in found["metadatas"]:
                out.setdefault(str(m["tk"]).split(":", 1)[1], set()).add(str(m["key"]))
        return out

    def lookup(self, typed: str) -> list[dict[str, Any]]:
        """Speakers a user's words refer to: every word in the name ("Nebenzia", "Kim Jong Un"),
        else the surname with a given name that agrees (``surname_matches``), else every word
        in the name or role ("the US ambassador"); most quoted first."""
        capitalised = " ".join(w[:1].upper() + w[1:] for w in typed.split())
        words = name_key(capitalised).split()
        if not words:
            return []
        keys = set.intersection(*(self._keys_with("token", w) for w in words[-1:] + words[:1]))
        keys = {k for k in keys if set(words) <= set(k.split())}
        # None, or only groups ("Bill Ackman and Melinda Gates"): the surname with a given name
        # that agrees ("Bill Ackman" for William A. Ackman, "Representative Mo Brooks").
        if all(_GROUP & set(k.split()) for k in keys):
            keys |= surname_matches(words, self._keys_with("token", words[-1]))
        if not keys:
            wanted = set(re.findall(r"\w+", fold(re.sub(r"^the\s+", "", typed, flags=re.I))))
            found = [self._keys_with("role", w) | self._keys_with("token", w) for w in wanted]
            keys = set.intersection(*found) if found else set()
        rows = list(self.speakers(keys).values())
        return sorted(rows, key=lambda r: (-int(r.get("quotes", 0)), str(r["name"])))

    def forms(self, rows: Iterable[dict[str, Any]]) -> list[str]:
        """The record names (as stored on quotes) of speaker rows."""
        return sorted({f for r in rows for f in _split(r.get("forms"))})

    def display(self, names: Iterable[str]) -> dict[str, str]:
        """Each stored name → the name to show: the fullest known speaker whose name holds all its
        words and ends like it ("Putin" → "Vladimir Putin"), the most quoted if several; never a
        group of speakers ("Bernie Sanders" is not shown as "Hillary and Bernie Sanders").
        A name that already has a given name keeps it and is shown fuller only by a middle name
        quoted at least as often ("Hillary Clinton" is not "Rival Hillary Clinton"), and a
        descriptor before a more quoted full name is dropped ("Rival Hillary Clinton" →
        "Hillary Clinton"; "Top Clinton" stays).

        Two reads for the whole batch: the speakers sharing each name's last word, then their rows.
        """
        wanted = {n: name_key(n).split() for n in dict.fromkeys(names)}
        by_last = self._keys_for("t", {w[-1] for w in wanted.values() if w})
        tails = {n: " ".join(w[1:]) for n, w in wanted.items() if _descriptor_first(w)}
        fuller = {
            key: [k for k in by_last.get(key.split()[-1], ()) if shown_under(key, k)]
            for key in {" ".join(w) for w in wanted.values() if w} | set(tails.values())
        }
        rows = self.speakers(list(fuller) + [k for ks in fuller.values() for k in ks])
        out: dict[str, str] = {}
        for name, w in wanted.items():
            row = rows.get(shown_key(" ".join(w), rows, name)) if w else None
            out[name] = str(row["name"]) if row else name
        return out

    def gender(self, name: str) -> str | None:
        row = self.speakers([name_key(name)]).get(name_key(name))
        if not row or int(row.get("f", 0)) == int(row.get("m", 0)):
            return None
        return "f" if int(row.get("f", 0)) > int(row.get("m", 0)) else "m"

    def publishers(self) -> list[str]:
        got = self.names.get(where={"kind": "publisher"}, include=["metadatas"])
        return sorted(str(m["name"]) for m in got["metadatas"])

    def search(self, kind: str, typed: str, limit: int) -> list[dict[str, Any]]:
        """Rows of a kind whose text holds the typed words (pickers that search as you type)."""
        doc = {"$contains": fold(typed.strip())} if typed.strip() else None
        got = self.names.get(
            where={"kind": kind}, where_document=doc, include=["metadatas"], limit=limit * 5
        )
        rows = [dict(m) for m in got["metadatas"]]
        if kind == "name":
            rows = [{**r, "name": row_name(r)} for r in rows]
            rows.sort(key=lambda r: (-int(r.get("quotes", 0)), str(r["name"])))
        return rows[:limit]

    def count(self, kind: str = "name") -> int:
        got = self.names.get(where={"kind": kind}, include=[])
        return len(got["ids"])


class NameReads(NameTable):
    """Reads of the speaker table that remember what they read: for one store generation (the
    chain makes a new one when the generation moves). A much-quoted surname's first question
    reads the same speaker rows three times otherwise (its rows, their shown names, the shorter
    forms' shown names: ~20–40 ms each)."""

    KEEP = 50_000  # rows and words remembered; past it they are read again

    def __init__(self, collection: Any) -> None:
        super().__init__(collection)
        self._rows: dict[str, dict[str, Any] | None] = {}
        self._words: dict[tuple[str, str], set[str] | None] = {}

    def speakers(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = [k for k in dict.fromkeys(keys) if k]
        todo = [k for k in keys if k not in self._rows]
        if todo:
            if len(self._rows) > self.KEEP:
                self._rows.clear()
            got = super().speakers(todo)
            self._rows.update({k: got.get(k) for k in todo})
        rows = {k: self._rows.get(k) for k in keys}
        return {k: dict(r) for k, r in rows.items() if r is not None}

    def _keys_for(self, kind: str, tokens: Iterable[str]) -> dict[str, set[str]]:
        tokens = sorted(set(tokens))
        todo = [t for t in tokens if (kind, t) not in self._words]
        if todo:
            if len(self._words) > self.KEEP:
                self._words.clear()
            got = super()._keys_for(kind, todo)
            self._words.update({(kind, t): got.get(t) for t in todo})
        found = {t: self._words.get((kind, t)) for t in tokens}
        return {t: set(keys) for t, keys in found.items() if keys is not None}
