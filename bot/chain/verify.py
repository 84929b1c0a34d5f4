"""The quote check: is every quotation in a model's answer the cited article's own words, said by
the speaker the answer names?

Statuses: ``supported``; ``misattributed`` (the words are in the article, but another speaker said
them, or nobody did); ``fabricated`` (not in the article, including fragments stitched together).
The word-level helpers here are also what retrieval uses to reward verbatim matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from store.types import Hit

Status = Literal["supported", "misattributed", "fabricated"]
_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*")
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into about over after before that
    this these those it its is are was were be been being has have had do does did will would
    shall should can could may might must not no so than then there their they them he she his her
    him we our us you your i me my who whom whose what which when where why how said say says
    tell told else also just very more most some any all such only own same too s t""".split()
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s")


# Every combining mark of the Basic Multilingual Plane, removed in one regex pass (a per-character
# test over every article text was the slowest step of ranking candidates).
_COMBINING = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in range(0x300, 0x10000) if unicodedata.combining(chr(c)))
    + "]+"
)


def fold(text: str) -> str:
    """Lower case, no diacritics, straight apostrophes."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return (text if text.isascii() else _COMBINING.sub("", text)).lower()


@lru_cache(maxsize=65_536)
def _spans(text: str) -> tuple[tuple[str, int, int], ...]:
    out = []
    for m in _WORD.finditer(fold(text)):
        word = m.group().replace(",", "").replace("'", "")
        if word and word != "_":
            out.append((word, m.start(), m.end()))
    return tuple(out)


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Normalised words with their character offsets ("3,000" → "3000", "don't" → "dont")."""
    return list(_spans(text))


@lru_cache(maxsize=65_536)
def _words(text: str) -> tuple[str, ...]:
    # The words of ``_spans`` in C loops (no word holds a space): half the time.
    found = " ".join(_WORD.findall(fold(text))).replace(",", "").replace("'", "").split()
    return tuple(w for w in found if w != "_") if "_" in found else tuple(found)


def words(text: str) -> list[str]:
    """The words of ``word_spans``, without their offsets."""
    return list(_words(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper; good enough to match "warned" with "warning"."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Stemmed content words (BM25 tokens and the coverage measure)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def trigrams(text: list[str]) -> set[tuple[str, ...]]:
    """The word trigrams of a word list."""
    return {tuple(text[k : k + 3]) for k in range(len(text) - 2)}


def longest_run(needle: list[str], hay: list[str]) -> int:
    """Length of the longest run of consecutive needle words that also appears in hay."""
    at: dict[str, list[int]] = {}
    for k, w in enumerate(needle):
        at.setdefault(w, []).append(k)
    best, prev = 0, dict[int, int]()  # needle index → run length ending at the previous word
    for w in hay:
        cur = {k: prev.get(k - 1, 0) + 1 for k in at.get(w, ())}
        if cur:
            best = max(best, *cur.values())
        prev = cur
    return best


def ordered_cover(needle: list[str], hay: list[str], max_gap: int = 20) -> int:
    """How many needle words hay holds as in-order runs with short gaps between them: an
    interrupted quote ("A," he said, "B") read without the interruption. 0 if hay lacks the
    first word."""
    p = h = covered = 0
    while p < len(needle):
        stop = len(hay) if p == 0 else min(len(hay), h + max_gap + 1)
        size, at = 0, -1
        for j in range(h, stop):
            n = 0
            while p + n < len(needle) and j + n < len(hay) and hay[j + n] == needle[p + n]:
                n += 1
            if n > size:
                size, at = n, j
        if not size:
            break
        covered, p, h = covered + size, p + size, at + size
    return covered


def find_words(needle: list[str], hay: list[str]) -> int:
    """Index in hay where the needle's words occur consecutively, or -1."""
    n = len(needle)
    if not n:
        return -1
    for i in range(len(hay) - n + 1):
        if hay[i] == needle[0] and hay[i : i + n] == needle:
            return i
    return -1


def pieces(needle: list[str], hay: list[str]) -> list[list[str]]:
    """Greedy cover of needle by the longest runs found in hay (one piece = verbatim)."""
    out, i = [], 0
    while i < len(needle):
        size = len(needle) - i
        while size > 0 and find_words(needle[i : i + size], hay) < 0:
            size -= 1
        if size == 0:
            return []  # a word that is not in the article at all
        out.append(needle[i : i + size])
        i += size
    return out


@dataclass
class Check:
    """The verdict on one quotation from a model's answer."""

    quote: str
    status: Status
    reason: str
    cited: int | None = None  # the [n] the model used
    hit: Hit | None = None  # the stored record that holds these words (when there is one)
    start: int = 0  # position of the quotation in the model's text
    end: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"quote": self.quote, "status": self.status, "reason": self.reason}


_QUOTATION = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")


def quotations(text: str) -> list[tuple[str, int, int, int | None]]:
    """(quotation, start, end, cited number) for each quoted passage in a model's text."""
    out = []
    for m in _QUOTATION.finditer(text):
        quote = m.group(1) or m.group(2)
        tail = text[m.end() :]
        stop = _SENTENCE_END.search(tail)
        marker = _MARKER.search(tail[: stop.end() if stop else len(tail)] + " ")
        if not marker:
            head = text[: m.start()]
            cut = max(head.rfind(". "), head.rfind("\n"))
            before = list(_MARKER.finditer(head[cut + 1 :]))
            marker = before[-1] if before else None
        out.append((quote, m.start(), m.end(), int(marker.group(1)) if marker else None))
    return out


@dataclass
class Evidence:
    """What the check may consult: cited records, article texts, records by article, names."""

    cited: dict[int, Hit]
    article_text: Callable[[str], str]
    records_in: Callable[[str], list[Hit]]
    find_names: Callable[[str], list[str]]
    canonical: Callable[[str], str]


def check_quote(
    quote: str, claimed: list[str], hit: Hit, ev: Evidence
) -> tuple[Status, str, Hit | None]:
    """Check one quotation against the article of ``hit``; ``claimed`` are the speakers the
    answer names in that clause. Every place the words occur in the article is considered."""
    article = ev.article_text(hit.doc_id)
    spans, needle = word_spans(article), words(quote)
    hay = [w for w, _, _ in spans]
    places = find_all(needle, hay)
    if not places:
        parts = pieces(needle, hay)
        if len(parts) > 1:
            return "fabricated", f"stitched from {len(parts)} separate passages", None
        return "fabricated", "these words are not in the cited article", None
    records = ev.records_in(hit.doc_id)
    others: list[Hit] = []
    for at in places:
        start, end = spans[at][1], spans[at + len(needle) - 1][2]
        owners = [r for r in records if r.start < end and start < r.end]
        own = [r for r in owners if ev.canonical(r.speaker) in claimed]
        if own:  # the cited record itself, else the tightest record that holds all the words
            return "supported", "", min(own, key=lambda r: _fit(r, hit, start, end))
        others += owners
    if others:
        other = ev.canonical(others[0].speaker) or "an unnamed source"
        wrong = " or ".join(claimed)
        return "misattributed", f"the article attributes them to {other}, not {wrong}", others[0]
    return "misattributed", "the article does not attribute these words to anyone", None


def _fit(r: Hit, cited: Hit, start: int, end: int) -> tuple[bool, bool, int]:
    return (r.id != cited.id, not r.start <= start < end <= r.end, r.end - r.start)


def find_all(needle: list[str], hay: list[str]) -> list[int]:
    """Every index in hay where the needle's words occur consecutively."""
    n = len(needle)
    if not n:
        return []
    return [i for i in range(len(hay) - n + 1) if hay[i] == needle[0] and hay[i : i + n] == needle]


def verify_answer(text: str, ev: Evidence) -> list[Check]:
    """Check every quotation in a model's answer against the article it cites."""
    checks = []
    for quote, start, end, number in quotations(text):
        hit = ev.cited.get(number) if number is not None else None
        if hit is None:
            hit = _find_record(quote, ev)
        if hit is None:
            why = "it cites nothing" if number is None else f"[{number}] is not a retrieved quote"
            reason = f"not found in any cited article; {why}"
            checks.append(Check(quote, "fabricated", reason, number, None, start, end))
            continue
        claimed = _claimed_speakers(text, start, end, ev) or [ev.canonical(hit.speaker)]
        status, reason, holder = check_quote(quote, claimed, hit, ev)
        if status == "fabricated" and (other := _find_record(quote, ev, claimed)) is not None:
            status, reason, holder = check_quote(quote, claimed, other, ev)  # a wrong [n] only
        checks.append(Check(quote, status, reason, number, holder, start, end))
    return checks


def _claimed_speakers(text: str, start: int, end: int, ev: Evidence) -> list[str]:
    """Speakers the answer names in the clause of a quotation ("X said: “…”", "“…,” said X")."""
    head = text[:start]
    left = max([head.rfind(c) for c in (". ", "\n", ";", "]")] + [0])
    stop = re.compile(r"[.!?;]\s|\n|\[").search(text, end)
    before = ev.find_names(head[left:])
    after = ev.find_names(text[end : stop.start() if stop else len(text)])
    return before + after[:1]


def _find_record(quote: str, ev: Evidence, speakers: list[str] | None = None) -> Hit | None:
    """A cited record whose article holds the quotation verbatim (for a missing/wrong [n])."""
    needle = words(quote)
    for hit in ev.cited.values():
        if speakers and ev.canonical(hit.speaker) not in speakers:
            continue
        if find_words(needle, words(ev.article_text(hit.doc_id))) >= 0:
            return hit
    return None
