"""Who-said golden questions from brat attribution annotations (e.g. PolNeAR): direct quotes by
named speakers, plus invented statements nobody made (``quotebot golden from-brat``)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from bot.eval.golden import norm_text, write_golden
from store.errors import InputError
from store.speakers import PRONOUNS, fold, strip_titles

FRAGMENT_WORDS = 12
MIN_QUOTE_WORDS = 5
MAX_NAME_WORDS = 4
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{10,}?)[”\"]")
# Statements no article says: the unanswerable questions ("no one said that" is right).
INVENTED = [
    "we will move the capital to a floating city by next spring",
    "every voter should get a free bicycle on election day",
    "the moon landing budget must be doubled before the debate",
    "our campaign will be run entirely by trained dolphins",
    "I have never once eaten a sandwich in a swing state",
    "the senate should meet underwater to save on heating",
    "tax returns will be printed on chocolate from now on",
    "the debate moderators were secretly replaced by robots",
    "we plan to rename Ohio after my favourite racehorse",
    "no polling station will open before midnight this year",
    "the convention will be held on a cruise ship to Antarctica",
    "my running mate is a famous jazz trumpet player from Mars",
]


def _pairs(brat_dir: Path) -> list[tuple[Path, Path]]:
    """(ann, txt) per article: ``DIR/attributions/*.ann`` + ``DIR/text/*.txt`` (or flat DIR)."""
    if not brat_dir.is_dir():
        raise InputError(f"{brat_dir}: not a directory of brat annotations.")
    ann_dir = brat_dir / "attributions" if (brat_dir / "attributions").is_dir() else brat_dir
    txt_dir = brat_dir / "text" if (brat_dir / "text").is_dir() else brat_dir
    texts = {p.stem: p for p in txt_dir.glob("*.txt")}
    pairs: dict[Path, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        stem = ann.stem  # "<article>_<annotator>": drop suffixes until a text matches
        while stem not in texts and "_" in stem:
            stem = stem.rsplit("_", 1)[0]
        if stem in texts:
            pairs.setdefault(texts[stem], ann)  # several annotators: the first in sorted order
    if not pairs:
        raise InputError(
            f"{brat_dir}: no .ann file with a matching .txt; expected DIR/attributions/*.ann "
            "and DIR/text/*.txt (or both in DIR)."
        )
    return [(ann, txt) for txt, ann in sorted(pairs.items())]


def _parse_ann(path: Path) -> tuple[dict[str, list[tuple[int, int]]], list[dict[str, str]]]:
    """Spans by T-id (discontinuous spans as several pieces) and relations as {role: T-id}."""
    spans: dict[str, list[tuple[int, int]]] = {}
    relations: list[dict[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        cols = line.split("\t")
        try:
            if line.startswith("T") and len(cols) >= 2:
                _, offsets = cols[1].split(" ", 1)
                pieces = [piece.split() for piece in offsets.split(";")]
                spans[cols[0]] = [(int(a), int(b)) for a, b in pieces]
            elif line.startswith("E") and len(cols) >= 2:
                args = (arg.split(":", 1) for arg in cols[1].split())
                relations.append({role.split("-")[0]: tid for role, tid in args})
        except ValueError as e:
            raise InputError(f"{path}:{number}: not a brat standoff line ({e}).") from e
    return spans, relations


def _quoted(text: str, pieces: list[tuple[int, int]]) -> tuple[str, str] | None:
    """The longest quotation inside a Content span and its kind ("direct" or "mixed")."""
    found: list[str] = []
    covered = sum(b - a for a, b in pieces)
    for a, b in pieces:
        for m in _QUOTED.finditer(text, max(0, a - 1), min(len(text), b + 1)):
            found.append(m.group(1))
    if not found:
        return None
    best = max(found, key=len)
    if len(best.split()) < MIN_QUOTE_WORDS:
        return None
    return best, "direct" if len(best) >= 0.85 * covered - 2 else "mixed"


def _fragment(quote: str) -> str:
    words = quote.split()[:FRAGMENT_WORDS]
    return " ".join(words).strip(" ,;:—–-…")


def _persons(doc: Any) -> list[str]:
    return [strip_titles(e.text) for e in doc.ents if e.label_ == "PERSON"]


def _named(source: str, persons: list[str]) -> str | None:
    """The speaker's name when the Source is a named person (not a pronoun, group or outlet)."""
    name = strip_titles(source.split(",")[0])
    tokens = name.split()
    if not tokens or len(tokens) > MAX_NAME_WORDS or fold(name) in PRONOUNS:
        return None
    if not all(t[:1].isupper() for t in tokens):
        return None
    last = fold(tokens[-1])
    if any(fold(p) == fold(name) or fold(p).split()[-1:] == [last] for p in persons if p):
        return name
    return None


def _accepted(name: str, persons: list[str]) -> list[str]:
    """The name, its surname, and its fullest form when the article names one person so."""
    surname = name.split()[-1]
    fuller = [p for p in persons if len(p.split()) > 1 and fold(p.split()[-1]) == fold(surname)]
    firsts = {fold(p.split()[0]) for p in fuller}
    befores = {fold(p.split()[-2]) for p in fuller}
    one_person = len(firsts) == 1 or len(befores) == 1  # "Hillary Clinton" but not "Bill Clinton"
    names = [name, surname] + (
        [Counter(fuller).most_common(1)[0][0]] if fuller and one_person else []
    )
    out: list[str] = []
    for n in names:
        if fold(n) not in {fold(o) for o in out}:
            out.append(n)
    return out


def _article_items(ann: Path, text: str, file_name: str, doc: Any) -> list[dict[str, Any]]:
    spans, relations = _parse_ann(ann)
    persons = _persons(doc)
    items = []
    for n, rel in enumerate(relations, 1):
        source, content = spans.get(rel.get("Source", "")), spans.get(rel.get("Content", ""))
        if not source or not content:
            continue
        quoted = _quoted(text, content)
        name = _named(text[source[0][0] : source[0][1]], persons)
        if quoted is None or name is None:
            continue
        fragment = _fragment(quoted[0])
        items.append(
            {
                "id": f"{Path(file_name).stem}#E{n}",
                "question": f'Who said "{fragment}"?',
                "speakers": _accepted(name, persons),
                "quote": fragment,
                "source": file_name,
                "kind": quoted[1],
            }
        )
    return items


def _round_robin(groups: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Interleave articles so that a ``--limit`` sample covers many of them."""
    out: list[dict[str, Any]] = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g)]
    return out


def golden_from_brat(
    brat_dir: Path, out: Path | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Who-said questions for direct quotes by named speakers, plus some invented (unanswerable)."""
    from store.extract.quotes import load_nlp

    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}.")
    pairs = _pairs(Path(brat_dir))
    texts = [_read(txt) for _, txt in pairs]
    nlp = load_nlp()
    with nlp.select_pipes(enable=["ner"]):  # only PERSON entities are needed here
        docs = nlp.pipe(texts, batch_size=16)
        groups = [
            _article_items(ann, text, txt.name, doc)
            for (ann, txt), text, doc in zip(pairs, texts, docs, strict=True)
        ]
    corpus = [norm_text(text) for text in texts]
    seen: set[str] = set()
    answerable = []
    for item in _round_robin(groups):
        key = norm_text(item["quote"])
        # A fragment found twice (or in two articles) cannot have one right source.
        if key in seen or sum(doc.count(key) for doc in corpus) != 1:
            continue
        seen.add(key)
        answerable.append(item)
    if limit is None:
        n_invented = min(len(INVENTED), max(1, len(answerable) // 5))
    else:  # about one in six of a limited set, none below six items
        n_invented = min(len(INVENTED), limit // 6)
        answerable = answerable[: limit - n_invented]
    invented = [
        {
            "id": f"invented-{i + 1:02d}",
            "question": f'Who said "{q}"?',
            "answerable": False,
            "kind": "unanswerable",
        }
        for i, q in enumerate(INVENTED[:n_invented])
        if not any(norm_text(q) in doc for doc in corpus)
    ]
    items = answerable + invented
    if out is not None:
        write_golden(items, Path(out))
    return items


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read the article text ({e}).") from e
