"""Article text from HTML: what `quotebot read` stores, scored beside trafilatura's default.

Scores are shingle overlap, as public article-extraction benchmarks compute them: the words
(``\\w+``, lower-cased) of the truth and of the extraction as bags of 4-word shingles; per page
precision = shared / extracted and recall = shared / truth; P and R are page means and F1 their
harmonic mean. Also printed: the share of truth lines holding a quote mark that come out whole
(a quote in a dropped line is lost to quotebot for good).

    python bench/html_extraction.py                        # tests/golden/html, in one run
    python bench/html_extraction.py --per-page
    python bench/html_extraction.py --pages DIR --truth DIR   # another set: DIR/x.html, DIR/x.txt
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "html"
_WORD = re.compile(r"\w+")
_QUOTE = re.compile(r"[\"“”«»]")


def shingles(text: str, n: int = 4) -> Counter[str]:
    words = _WORD.findall(text.lower())
    return Counter(" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1)))


def precision_recall(truth: str, extracted: str) -> tuple[float, float]:
    t, e = shingles(truth), shingles(extracted)
    shared = sum((t & e).values())
    return shared / max(1, sum(e.values())), shared / max(1, sum(t.values()))


def quote_lines_kept(truth: str, extracted: str) -> tuple[int, int]:
    flat = " ".join(extracted.split())
    lines = [" ".join(line.split()) for line in truth.split("\n") if _QUOTE.search(line)]
    return sum(line in flat for line in lines), len(lines)


def group_of(stem: str) -> str:
    return stem.split("_")[0] + ("-" + stem.split("_")[1] if stem.startswith("polnear") else "")


def ours(pages: Path) -> dict[str, str]:
    """`quotebot read --json` over the pages directory, run from this worktree."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "read", "--json", str(pages)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    out = {}
    for line in proc.stdout.splitlines():
        item = json.loads(line)
        if "text" in item:
            out[Path(item["path"]).stem] = item["text"]
        elif "error" in item:
            out[Path(item["path"]).stem] = ""
    return out


def trafilatura_run(pages: Path, **options: object) -> dict[str, str]:
    import trafilatura

    return {
        p.stem: trafilatura.extract(p.read_bytes(), **options) or "" for p in pages.glob("*.html")
    }


def before_16(pages: Path) -> dict[str, str]:
    """What ingest stored before issue #16: trafilatura without comments, then clean_text."""
    import trafilatura

    from store.clean import clean_text
    from store.read import decode

    out = {}
    for p in pages.glob("*.html"):
        doc = trafilatura.bare_extraction(decode(p.read_bytes(), str(p))[0], include_comments=False)
        out[p.stem] = clean_text(doc.text) if doc is not None and doc.text else ""
    return out


def score(truths: dict[str, str], got: dict[str, str]) -> dict[str, dict[str, float]]:
    per_page = {}
    for stem, truth in truths.items():
        p, r = precision_recall(truth, got.get(stem, ""))
        kept, total = quote_lines_kept(truth, got.get(stem, ""))
        per_page[stem] = {"p": p, "r": r, "kept": kept, "quotes": total}
    return per_page


def summary(rows: dict[str, dict[str, float]], stems: list[str]) -> str:
    p = sum(rows[s]["p"] for s in stems) / len(stems)
    r = sum(rows[s]["r"] for s in stems) / len(stems)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    kept = sum(rows[s]["kept"] for s in stems)
    quotes = sum(rows[s]["quotes"] for s in stems)
    return f"F1 {f1:.3f}  P {p:.3f}  R {r:.3f}  quote lines {kept}/{quotes}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=GOLDEN / "pages")
    parser.add_argument("--truth", type=Path, default=GOLDEN / "truth")
    parser.add_argument("--per-page", action="store_true")
    args = parser.parse_args()
    truths = {p.stem: p.read_text(encoding="utf-8") for p in sorted(args.truth.glob("*.txt"))}
    runs: dict[str, Callable[[], dict[str, str]]] = {
        "quotebot read": lambda: ours(args.pages),
        "trafilatura extract() default": lambda: trafilatura_run(args.pages),
        "trafilatura favor_precision": lambda: trafilatura_run(args.pages, favor_precision=True),
        "trafilatura favor_recall": lambda: trafilatura_run(args.pages, favor_recall=True),
        "before #16 (clean_text)": lambda: before_16(args.pages),
    }
    groups: dict[str, list[str]] = {"all": sorted(truths)}
    for stem in sorted(truths):
        groups.setdefault(group_of(stem), []).append(stem)
    print(
        f"{len(truths)} pages: "
        + ", ".join(f"{g} {len(s)}" for g, s in groups.items() if g != "all")
    )
    results = {}
    for name, run in runs.items():
        t0 = time.perf_counter()
        results[name] = score(truths, run())
        seconds = time.perf_counter() - t0
        print(f"\n{name}  ({seconds:.1f} s)")
        for group, stems in groups.items():
            print(f"  {group:14s} {summary(results[name], stems)}")
    if args.per_page:
        names = list(runs)
        print("\nper page P/R: " + " | ".join(names))
        for stem in sorted(truths):
            cells = "  ".join(
                f"{results[n][stem]['p']:.2f}/{results[n][stem]['r']:.2f}" for n in names
            )
            print(f"  {stem:22s} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
