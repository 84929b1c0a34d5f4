"""Quote extraction on PolNeAR: quotebot vs textacy's ``direct_quotations``, side by side.

Example: .venv/bin/python bench/extraction.py --split dev
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from store.extract.quotes import MODEL, QuoteExtractor, load_nlp  # noqa: E402
from store.speakers import PRONOUNS, TITLE_WORDS, canonical_key  # noqa: E402

ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"
DOUBLE_MARKS = re.compile(r"[\"“”]|''|``")
_SPAN = re.compile(r"^(T\d+)\t(\w+) ([\d ;]+)\t")
Pieces = list[tuple[int, int]]


@dataclass
class Gold:
    content: Pieces
    source: Pieces
    direct: bool


@dataclass
class Found:
    """One system attribution: content pieces, speaker mention and resolved name."""

    content: Pieces
    mention: tuple[int, int] | None = None
    speaker: str | None = None
    direct: bool = False


@dataclass
class Article:
    name: str
    text: str
    gold: list[Gold] = field(default_factory=list)


def _read_ann(path: Path, text: str) -> list[Gold]:
    spans: dict[str, Pieces] = {}
    gold = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _SPAN.match(line):
            spans[m[1]] = [tuple(map(int, p.split())) for p in m[3].split(";")]  # type: ignore[misc]
        elif line.startswith("E"):
            args = dict(a.split(":") for a in line.split("\t")[1].split())
            content = spans.get(args.get("Content", ""))
            if content:
                body = " ".join(text[s:e] for s, e in content)
                source = spans.get(args.get("Source", ""), [])
                gold.append(Gold(content, source, bool(DOUBLE_MARKS.search(body))))
    return gold


def load_polnear(split: str, limit: int | None = None) -> list[Article]:
    """Articles of a PolNeAR split with the first annotator's relations."""
    articles = []
    for txt in sorted((ROOT / split / "text").glob("*.txt"))[:limit]:
        anns = sorted((ROOT / split / "attributions").glob(f"{txt.stem}_*.ann"))
        text = txt.read_text(encoding="utf-8")
        articles.append(Article(txt.stem, text, _read_ann(anns[0], text) if anns else []))
    return articles


def iou(a: Pieces, b: Pieces) -> float:
    inter = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)
    union = sum(e - s for s, e in a) + sum(e - s for s, e in b) - inter
    return inter / union if union else 0.0


def _names(text: str) -> set[str]:
    return {w for w in canonical_key(text).split() if w not in PRONOUNS | TITLE_WORDS}


def speaker_right(gold: Gold, found: Found, text: str) -> bool:
    """Mention overlaps the gold Source, or the resolved name shares a name with it."""
    if found.mention and iou(gold.source, [found.mention]) > 0:
        return True
    source = " ".join(text[s:e] for s, e in gold.source)
    return bool(found.speaker and _names(found.speaker) & _names(source))


def score(articles: list[Article], outputs: list[list[Found]], direct: bool) -> dict[str, float]:
    """Precision, recall, F1 and speaker accuracy given a found quote (gold with a Source)."""
    tp_sys = n_sys = tp_gold = n_gold = spk_ok = spk_n = 0
    for art, found in zip(articles, outputs, strict=True):
        golds = [g for g in art.gold if g.direct or not direct]
        mine = [f for f in found if f.direct or not direct]
        n_sys += len(mine)
        tp_sys += sum(any(iou(f.content, g.content) >= 0.5 for g in art.gold) for f in mine)
        for g in golds:
            n_gold += 1
            best = max(found, key=lambda f: iou(f.content, g.content), default=None)
            if best is None or iou(best.content, g.content) < 0.5:
                continue
            tp_gold += 1
            if g.source:
                spk_n += 1
                spk_ok += speaker_right(g, best, art.text)
    p, r = tp_sys / max(n_sys, 1), tp_gold / max(n_gold, 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f1, "speaker": spk_ok / max(spk_n, 1), "n": n_gold}


def time_parse(articles: list[Article]) -> float:
    """Seconds for a bare ``nlp.pipe`` parse of the texts (the floor for extraction speed)."""
    nlp = load_nlp()
    start = time.perf_counter()
    for _ in nlp.pipe((a.text for a in articles), batch_size=16):
        pass
    return time.perf_counter() - start


def run_quotebot(articles: list[Article], processes: int) -> tuple[list[list[Found]], float]:
    extractor = QuoteExtractor(load_nlp())
    extractor.extract(articles[0].text)  # warm-up, not timed
    start = time.perf_counter()
    texts = [a.text for a in articles]
    results = list(extractor.extract_many(texts, batch_size=16, n_process=processes))
    elapsed = time.perf_counter() - start
    outputs = []
    for quotes in results:
        outputs.append(
            [
                Found(
                    q.spans or [(q.start, q.end)],
                    (q.speaker_mention.start, q.speaker_mention.end) if q.speaker_mention else None,
                    q.speaker,
                    q.kind != "indirect",
                )
                for q in quotes
            ]
        )
    return outputs, elapsed


def run_textacy(articles: list[Article]) -> tuple[list[list[Found]], float, int, str]:
    """textacy 0.13 direct_quotations with its own full parse; counts articles it fails on."""
    import spacy
    from textacy.extract.triples import direct_quotations

    nlp = spacy.load(MODEL)
    start = time.perf_counter()
    outputs, failed, reason = [], 0, ""
    for doc in nlp.pipe((a.text for a in articles), batch_size=16):
        try:
            triples = list(direct_quotations(doc))
        except Exception as e:  # textacy raises on unbalanced quote marks
            failed, reason = failed + 1, f"{type(e).__name__}: {e}"[:90]
            triples = []
        found = []
        for t in triples:
            speaker = sorted(t.speaker, key=lambda tok: tok.i)
            mention = (speaker[0].idx, speaker[-1].idx + len(speaker[-1])) if speaker else None
            name = " ".join(tok.text for tok in speaker) or None
            found.append(Found([(t.content.start_char, t.content.end_char)], mention, name, True))
        outputs.append(found)
    return outputs, time.perf_counter() - start, failed, reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--processes", type=int, default=1, help="nlp.pipe processes for quotebot")
    parser.add_argument("--no-textacy", action="store_true")
    args = parser.parse_args()
    articles = load_polnear(args.split, args.limit)
    words = sum(len(a.text.split()) for a in articles)
    t_parse = time_parse(articles)  # same run, same load: speed is reported relative to this
    ours, t_ours = run_quotebot(articles, args.processes)
    rows = {"quotebot": (ours, t_ours, "-")}
    if not args.no_textacy:
        theirs, t_theirs, failed, reason = run_textacy(articles)
        rows["textacy"] = (theirs, t_theirs, str(failed))
    table = Table(title=f"PolNeAR {args.split}: {len(articles)} articles, {words:,} words")
    for col in (
        "system",
        "direct P",
        "direct R",
        "direct F1",
        "speaker acc",
        "all P",
        "all R",
        "all F1",
        "words/s",
        "failed",
    ):
        table.add_column(col, justify="right")
    for name, (outputs, elapsed, failed) in rows.items():
        d, a = score(articles, outputs, True), score(articles, outputs, False)
        table.add_row(
            name,
            *(f"{d[k]:.3f}" for k in ("p", "r", "f1", "speaker")),
            *(f"{a[k]:.3f}" for k in ("p", "r", "f1")),
            f"{words / elapsed:,.0f}",
            failed,
        )
    Console(width=150).print(table)
    gold = (
        score(articles, [[] for _ in articles], True)["n"],
        score(articles, [[]] * len(articles), False)["n"],
    )
    print(f"gold relations: {gold[0]:.0f} direct, {gold[1]:.0f} all")
    print(
        f"bare nlp.pipe parse: {words / t_parse:,.0f} words/s; quotebot extraction runs at "
        f"{t_parse / t_ours:.2f}x the bare parse speed ({words / t_ours:,.0f} words/s)"
    )
    if not args.no_textacy and reason:
        print(f"textacy failure example: {reason}")


if __name__ == "__main__":
    main()
