"""Rebuild the cue lexicon ``store/extract/data/cues.json`` from PolNeAR train, reproducibly.

For every word (lower-cased letters) it counts its uses in train and how many of them
fall inside a gold Cue span (first annotator per article). A word is kept when it was seen in a Cue
at least ``--min-count`` times with a cue rate of at least ``--min-rate``.

The defaults (2 and 0.25) were chosen on train alone: lexicons built from train minus its first
200 articles were scored on those 200 (min-count 2/3/4 × rate 0.2/0.25/0.3); 2 and 0.25 gave the
best F1 there. Dev was not used.

Example: .venv/bin/python bench/build_cues.py            # writes store/extract/data/cues.json
         .venv/bin/python bench/build_cues.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"
OUT = Path(__file__).resolve().parents[1] / "store" / "extract" / "data" / "cues.json"
WORD = re.compile(r"[A-Za-z]+")
_CUE = re.compile(r"^T\d+\tCue ([\d ;]+)\t")


def cue_spans(ann: Path) -> list[tuple[int, int]]:
    """Character ranges of all Cue spans in one brat file."""
    spans = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        if m := _CUE.match(line):
            for piece in m[1].split(";"):
                start, end = map(int, piece.split())
                spans.append((start, end))
    return spans


def count_words(split_dir: Path) -> tuple[Counter[str], Counter[str]]:
    """(all uses, uses inside a Cue) per lower-cased word over one split."""
    seen: Counter[str] = Counter()
    in_cue: Counter[str] = Counter()
    for txt in sorted((split_dir / "text").glob("*.txt")):
        anns = sorted((split_dir / "attributions").glob(f"{txt.stem}_*.ann"))
        if not anns:
            continue
        cues = cue_spans(anns[0])
        for m in WORD.finditer(txt.read_text(encoding="utf-8")):
            word = m.group().lower()
            seen[word] += 1
            in_cue[word] += any(s <= m.start() < e for s, e in cues)
    return seen, in_cue


def build(min_count: int, min_rate: float, split: str = "train") -> dict[str, float]:
    """The lexicon: word → cue rate, sorted by word."""
    seen, in_cue = count_words(ROOT / split)
    return {
        w: round(in_cue[w] / seen[w], 3)
        for w in sorted(in_cue)
        if in_cue[w] >= min_count and in_cue[w] / seen[w] >= min_rate
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--min-rate", type=float, default=0.25)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out, do not write")
    args = parser.parse_args()
    if not (ROOT / "train").is_dir():
        sys.exit(f"PolNeAR train was not found in {ROOT}; it is needed to build the lexicon.")
    lexicon = build(args.min_count, args.min_rate)
    text = json.dumps(lexicon, indent=0, ensure_ascii=False) + "\n"
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'differs from a fresh build'}")
        sys.exit(0 if same else 1)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(lexicon)} cue words to {args.out}")


if __name__ == "__main__":
    main()
