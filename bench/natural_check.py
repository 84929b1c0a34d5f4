"""Check natural-question golden sets against the PolNeAR gold attributions.

    python3 bench/natural_check.py tests/golden/natural_dev.jsonl tests/golden/natural_train.jsonl
    python3 bench/natural_check.py --polnear /path/to/polnear tests/golden/natural_dev.jsonl

Answerable items must point at a real attribution in the first `.ann` of their article: the quote
inside its Content, `gold.source` its Source, the speaker named by the Source or by an earlier
mention (`gold.name_at`); `dated` items name the article's month and year. `nobody` items must not
have all their content words inside one Content span of any `.ann` of train or dev (a bot may index
both). A file is train when its name contains "train", else dev. Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

DEFAULT_POLNEAR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "polnear"
KINDS = {  # kind -> target share of a file
    "paraphrase": 0.30, "keyword": 0.15, "what_about": 0.15, "reported": 0.12,
    "pronoun_title": 0.08, "did": 0.05, "dated": 0.05, "nobody": 0.10,
}  # fmt: skip
ID_PREFIX = {"dev": "nd", "train": "nt"}
QUOTE_WORDS = (4, 10)
MAX_PARAPHRASE_RUN = 4  # consecutive words a paraphrase question may share with its Content
MAX_PER_ARTICLE = 3
MIN_NOBODY_WORDS = 3
TITLES = set(
    "mr mrs ms miss dr sen senator rep gov governor president vice former pres the a an of "
    "gen general secretary speaker rev jr sr chairman chairwoman".split()
)
STOPWORDS = set(
    "a an the and or but if of to in on at by for with from into about as is are was were be been "
    "being has have had do does did done not no that this these those it its he she they them his "
    "her their we our you your i me my who whom whose what which when where why how say says said "
    "saying claim claimed tell told anyone someone anybody somebody ever any all would will could "
    "should can may might must shall than then there here so too very just also over under up out "
    "us him after before during while against between through because".split()
)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
Span = tuple[str, frozenset[str]]  # a Content span's text and the stems of its words
DATE_RE = re.compile(rf"\b({'|'.join(MONTHS)})[a-z]*\.?\s+(?:\d{{1,2}},?\s+)?((?:19|20)\d\d)\b")


@dataclass
class Attribution:
    """One gold attribution relation (E line) with its spans as (start, end) pairs."""

    content: list[tuple[int, int]]
    source: list[tuple[int, int]]


@dataclass
class Article:
    """An article's text, publication date and gold attributions from its first `.ann`."""

    text: str
    date: str
    attributions: list[Attribution]


def parse_ann(text: str) -> list[Attribution]:
    """Attributions of one brat file; Content and Content2 both count as content."""
    spans: dict[str, list[tuple[int, int]]] = {}
    relations: list[dict[str, str]] = []
    for line in text.splitlines():
        cols = line.split("\t")
        if line.startswith("T") and len(cols) >= 2:
            ranges = cols[1].split(" ", 1)[1]
            spans[cols[0]] = [(int(a), int(b)) for a, b in (r.split() for r in ranges.split(";"))]
        elif line.startswith("E") and len(cols) >= 2:
            relations.append(dict(p.split(":", 1) for p in cols[1].split() if ":" in p))
    out = []
    for rel in relations:
        content = [s for role in ("Content", "Content2") if role in rel for s in spans[rel[role]]]
        if content:
            out.append(Attribution(content, spans.get(rel.get("Source", ""), [])))
    return out


@cache
def load_split(root: Path, split: str) -> tuple[dict[str, Article], list[Span]]:
    """Articles of a split (first `.ann` each) and every Content (text, stems) of all `.ann`."""
    with open(root / "metadata.tsv", encoding="utf-8", newline="") as f:
        dates = {r["filename"]: r["publication_date"] for r in csv.DictReader(f, delimiter="\t")}
    anns: dict[str, list[Path]] = {}
    for path in sorted((root / split / "attributions").glob("*.ann")):
        anns.setdefault(path.stem.rsplit("_", 1)[0], []).append(path)
    articles, contents = {}, []
    for txt in sorted((root / split / "text").glob("*.txt")):
        text = txt.read_text(encoding="utf-8")
        files = anns.get(txt.stem, [])
        parsed = [parse_ann(p.read_text(encoding="utf-8")) for p in files]
        articles[txt.stem] = Article(text, dates.get(txt.stem, ""), parsed[0] if parsed else [])
        for att in (att for atts in parsed for att in atts):
            span = " ".join(text[a:b] for a, b in att.content)
            contents.append((span, frozenset(stem(w) for w in words(span))))
    return articles, contents


def words(text: str) -> list[str]:
    """Lower-case word tokens, curly apostrophes folded, possessive 's dropped."""
    text = text.lower().replace("’", "'")
    return [re.sub(r"'s$", "", w) for w in re.findall(r"[a-z0-9]+(?:['\-][a-z0-9]+)*", text)]


def name_tokens(text: str) -> set[str]:
    """Tokens of a name, without titles (Mr., Sen., the …)."""
    return {w for w in words(text) if w not in TITLES}


def stem(word: str) -> str:
    """A crude stem so 'warned'/'warns'/'warning' compare equal in the nobody check."""
    return re.sub(r"(?<=\w{3})(ing|ed|es|s)$", "", word)


def longest_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of consecutive words shared by a and b."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size


def span_of(value: object) -> tuple[int, int] | None:
    """A [start, end] pair from JSON, or None when it is not one."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def matches(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether span covers the whole (possibly discontinuous) annotation or is one of its pieces."""
    whole = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None
    return span == whole or span in spans


def check_nobody(item: dict, contents: list[Span]) -> str | None:
    """Why a nobody item is answerable after all, or None when it is not."""
    tokens = re.findall(r"[A-Za-z0-9][\w'’\-]*", item["question"])
    names = {w.lower() for i, w in enumerate(tokens) if i > 0 and w[0].isupper()}
    content = {stem(w) for w in words(item["question"]) if w not in STOPWORDS | names}
    if len(content) < MIN_NOBODY_WORDS:
        return f"only {len(content)} distinctive content words {sorted(content)}, need 3"
    for span, stems in contents:
        if content <= stems:
            shown = " ".join(span.split())[:80]
            return f"all of {sorted(content)} occur in the gold Content {shown!r}"
    return None


def check_answerable(item: dict, split: str, articles: dict[str, Article]) -> str | None:
    """Why an answerable item does not match the gold, or None when it does."""
    speakers, quote, gold = item.get("speakers"), item.get("quote"), item["gold"]
    if not speakers or not all(isinstance(s, str) and s for s in speakers):
        return "speakers must be a non-empty list of names"
    if not isinstance(quote, str) or not QUOTE_WORDS[0] <= len(quote.split()) <= QUOTE_WORDS[1]:
        return f"quote must be {QUOTE_WORDS[0]}-{QUOTE_WORDS[1]} words"
    article = articles.get(item.get("source", ""))
    if article is None:
        return f"source {item.get('source')!r} is not a {split} article"
    content, source = span_of(gold.get("content")), span_of(gold.get("source"))
    if content is None or source is None:
        return "gold.content and gold.source must be [start, end]"
    candidates = [a for a in article.attributions if matches(content, a.content)]
    if not candidates:
        return f"gold.content {list(content)} is no Content span of the article's first .ann"
    text = article.text
    if " ".join(quote.split()) not in " ".join(text[content[0] : content[1]].split()):
        return f"quote {quote!r} is not inside the gold Content span"
    if not any(matches(source, a.source) for a in candidates):
        return f"gold.source {list(source)} is not the Source of that attribution"
    source_text, name_at = text[source[0] : source[1]], gold.get("name_at")
    all_names = set().union(*(name_tokens(s) for s in speakers))
    if name_at is None:
        if item["kind"] == "pronoun_title":
            return "pronoun_title items need gold.name_at"
        if not name_tokens(source_text) & name_tokens(speakers[0]):
            return f"Source {source_text!r} does not name {speakers[0]!r}; give gold.name_at"
    else:
        at = span_of(name_at)
        if at is None:
            return "gold.name_at must be [start, end] or null"
        if not name_tokens(text[at[0] : at[1]]) & all_names:
            return f"name_at text {text[at[0] : at[1]]!r} matches none of {speakers}"
        if at[1] > source[0]:
            return "name_at must lie before the Source span"
    return check_wording(item, text[content[0] : content[1]], article.date, all_names)


def check_wording(item: dict, content: str, date: str, names: set[str]) -> str | None:
    """Kind-specific checks on the question's wording."""
    question, kind = item["question"], item["kind"]
    if kind == "paraphrase" and longest_run(words(question), words(content)) > MAX_PARAPHRASE_RUN:
        return f"paraphrase shares more than {MAX_PARAPHRASE_RUN} consecutive words with Content"
    if kind == "keyword" and (question != question.lower() or question.rstrip().endswith("?")):
        return "keyword questions are lower case and not phrased as a question"
    if kind == "reported" and re.search("[\"“”]|''", content):
        return "reported items need a Content span without quotation marks (reported speech)"
    if kind in ("what_about", "did", "pronoun_title") and not set(words(question)) & names:
        return f"{kind} question must name the speaker"
    if kind == "did" and not question.lower().startswith("did "):
        return "did questions start with 'Did'"
    if kind == "dated":
        found = [(MONTHS.index(m) + 1, int(y)) for m, y in DATE_RE.findall(question)]
        if not found:
            return "dated question names no month and year"
        want = (int(date[5:7]), int(date[:4])) if len(date) >= 7 else None
        if any(f != want for f in found):
            return f"dated question names {found}, article published {date or 'unknown'}"
    return None


def check_item(item: dict, split: str, articles: dict[str, Article], contents: list[Span]) -> str:
    """'' when the item is right, else why not."""
    if missing := [k for k in ("id", "question", "answerable", "kind", "gold") if k not in item]:
        return f"missing {missing}"
    if not isinstance(item["gold"], dict) or item["gold"].get("split") != split:
        return f"gold.split must be {split!r}"
    if not re.fullmatch(ID_PREFIX[split] + r"\d{3,}", str(item["id"])):
        return f"id must look like {ID_PREFIX[split]}001"
    if item["kind"] not in KINDS:
        return f"unknown kind {item['kind']!r}"
    if (item["kind"] == "nobody") == bool(item["answerable"]):
        return "kind 'nobody' and answerable: false go together"
    if item["kind"] == "nobody":
        return check_nobody(item, contents) or ""
    return check_answerable(item, split, articles) or ""


def check_file(path: Path, root: Path, seen: dict[str, set[str]]) -> tuple[int, list[str]]:
    """Check one golden file; returns (items passed, failure lines). `seen` spans files."""
    if not path.is_file():
        return 0, [f"{path}: no such file"]
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    items, failures = [], []
    for n, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            item = None
        if isinstance(item, dict):
            items.append(item)
        else:
            failures.append(f"{path.name}:{n}: not a JSON object")
    split = "train" if "train" in path.name else "dev"  # the split a file covers, by its name
    articles = load_split(root, split)[0]
    contents = [c for s in ID_PREFIX if (root / s).is_dir() for c in load_split(root, s)[1]]
    per_article = Counter(i.get("source") for i in items if i.get("answerable"))
    passed, kinds = 0, Counter(i.get("kind") for i in items)
    for item in items:
        why = check_item(item, split, articles, contents)
        question = " ".join(words(str(item.get("question", ""))))
        if not why and item["id"] in seen["ids"]:
            why = "duplicate id"
        elif not why and question in seen["questions"]:
            why = "duplicate question"
        elif not why and item.get("answerable") and per_article[item["source"]] > MAX_PER_ARTICLE:
            why = f"more than {MAX_PER_ARTICLE} questions on article {item['source']}"
        seen["ids"].add(str(item.get("id")))
        seen["questions"].add(question)
        if why:
            failures.append(f"{path.name}: {item.get('id', '?')}: {why}")
        else:
            passed += 1
    print(f"\n{path.name} ({split}, {len(items)} items, {len(per_article)} articles)")
    print(f"  {'kind':<14}{'n':>5}{'share':>8}{'target':>8}")
    for kind, target in KINDS.items():
        share = kinds[kind] / max(len(items), 1)
        print(f"  {kind:<14}{kinds[kind]:>5}{share:>8.0%}{target:>8.0%}")
    return passed, failures


def main(argv: list[str] | None = None) -> int:
    """Check the given golden files; 0 when every item passes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="natural-question JSONL files")
    parser.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR, help="PolNeAR folder")
    args = parser.parse_args(argv)
    if not (args.polnear / "metadata.tsv").is_file():
        print(f"Error: no PolNeAR at {args.polnear}. Pass --polnear DIR.", file=sys.stderr)
        return 2
    seen: dict[str, set[str]] = {"ids": set(), "questions": set()}
    passed, failures = 0, list[str]()
    for path in args.files:
        ok, bad = check_file(path, args.polnear, seen)
        passed, failures = passed + ok, failures + bad
    print("".join(f"\nFAIL {line}" for line in failures))
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
