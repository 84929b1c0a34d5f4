"""Who-said bench on PolNeAR: top-1 accuracy, abstention on invented quotes, and latency.

    .venv/bin/python bench/whosaid.py [--store /tmp/quotebot-polnear] [--limit N] [--json]

Indexes the PolNeAR train + dev articles once (cached in --store), then for every direct quote
whose gold Source is a name asks `Who said "<12 words of the quote>"?`. A question is right when
the first cited quote is by that speaker, overlaps the gold quote and comes from the right
article. Invented quotes (and quotes stitched from two real ones) must be abstained on.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from polnear import DATA, polnear_store  # noqa: E402

from bot.chain.verify import longest_run, words  # noqa: E402
from bot.core import Bot  # noqa: E402
from store.speakers import canonical_key  # noqa: E402

FRAGMENT_WORDS = 12
GENERIC = set(
    "officials sources aides democrats republicans voters critics experts analysts supporters "
    "polls reports advisers observers others many some both campaign".split()
)
INVENTED = [
    "Bitcoin will reach a million dollars before the end of the decade",
    "the moon landing was staged in a studio in Nevada",
    "we will build a high speed railway from Boston to Miami by next summer",
    "our campaign has never accepted a single dollar from any lobbyist in Washington",
    "the Federal Reserve should abolish paper money within two years",
    "I have personally spoken with every governor about the new tariffs on avocados",
    "the debate moderators were all secretly working for the Canadian government",
    "we are going to put a nuclear power plant in every county in Ohio",
    "my opponent wants to ban football on Sunday afternoons",
    "climate change is the reason the Cubs finally won the World Series",
    "I will appoint a panel of astronauts to run the Department of Education",
    "the election will be decided by voters in Guam and the Virgin Islands",
    "every American family deserves a free electric car by 2020",
    "we should move the capital from Washington to Denver",
    "I never met anyone from the campaign before last Tuesday in Paris",
    "the polls are being written by a computer program in Estonia",
    "taxes on chocolate will pay for the entire border wall",
    "the Senate should meet only on weekends to save money",
    "I was the first candidate to visit all fifty states on a bicycle",
    "voters in Iowa care more about soccer than about corn prices",
    "the internet should be shut down during presidential debates",
    "our plan will cut the price of prescription drugs by ninety percent in one week",
    "the Supreme Court justices should be elected by text message",
    "the secret service agents were reading my emails out loud at dinner",
    "the governor promised to plant a billion trees along the interstate",
    "I support a constitutional amendment to lower the voting age to twelve",
    "the whole campaign staff will take a vow of silence until November",
    "we will replace the penny with a coin featuring a bald eagle and a hamburger",
    "the foundation received donations from a fleet of fishing boats in Norway",
    "nobody in this country has ever paid less tax than my dog",
    "the rally in Arizona was the largest gathering of humans in recorded history",
    "the trade deal with Mars will create millions of jobs",
    "the mayor said the city will give every child a pony",
    "the economy will collapse next year unless we ban umbrellas",
    "my grandmother taught me to negotiate with the Chinese over tea",
    "the debate was rigged by a team of squirrels",
    "Hillary Clinton will announce her retirement to a monastery in Tibet",
    "Donald Trump will sell Alaska back to Russia for one dollar",
    "the FBI director plays poker with the candidates every Friday",
    "the vice presidential nominee has never been to a baseball game in his life",
]


def gold_quotes(stem: str, split: str) -> list[tuple[str, str]]:
    """(source, content) of direct quotes with a named source in one article's first .ann."""
    anns = sorted((DATA / split / "attributions").glob(f"{stem}_*.ann"))
    if not anns:
        return []
    spans, out = {}, []
    for line in anns[0].read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) == 3:
            spans[parts[0]] = (parts[1].split()[0], parts[2])
        elif line.startswith("E") and len(parts) >= 2:
            roles = dict(r.split(":") for r in parts[1].split()[1:] if ":" in r)
            source, content = (
                spans.get(roles.get("Source", "")),
                spans.get(roles.get("Content", "")),
            )
            if source and content and _direct(content[1]) and _named(source[1]):
                out.append((source[1], content[1]))
    return out


def _direct(content: str) -> bool:
    text = content.strip()
    return text[:1] in '“"' and len(words(text)) >= 8


def _named(source: str) -> bool:
    tokens = re.sub(r"^(the|The)\s+", "", source.strip()).split()
    if not tokens or len(tokens) > 5 or tokens[0].lower().strip(",.") in GENERIC:
        return False
    return all(t[:1].isupper() for t in tokens) and fold_key(source) not in {"he", "she", "it"}


def fold_key(name: str) -> str:
    return canonical_key(name).replace(".", "")


def same_speaker(gold: str, got: str) -> bool:
    a, b = set(fold_key(gold).split()), set(fold_key(got).split())
    return bool(a and b) and (a <= b or b <= a or bool(a & b - {"the"}))


def build_store(store: Path, threads: int) -> Bot:
    bot = polnear_store(store)
    import torch

    torch.set_num_threads(threads)  # loading the model set it; the shared machine wants fewer
    return bot


def run(store: Path, limit: int, threads: int = 1, seed: int = 7) -> dict[str, object]:
    bot = build_store(store, threads)
    stems = [p.stem for s in ("dev", "train") for p in sorted((DATA / s / "text").glob("*.txt"))]
    split_of = {p.stem: s for s in ("dev", "train") for p in (DATA / s / "text").glob("*.txt")}
    jsonl_name = f"{store.name}.jsonl"
    cases = [
        (i, stem, src, content)
        for i, stem in enumerate(stems, 1)
        for src, content in gold_quotes(stem, split_of[stem])
    ]
    random.Random(seed).shuffle(cases)
    cases = cases[:limit] if limit else cases
    bot.ask("warm up")
    right = wrong_speaker = wrong_quote = abstained = 0
    latencies = []
    for line, _stem, source, content in cases:
        fragment = " ".join(re.sub(r"[“”\"]", " ", content).split()[:FRAGMENT_WORDS])
        t = time.perf_counter()
        answer = bot.ask(f'Who said "{fragment}"?')
        latencies.append(time.perf_counter() - t)
        if answer.abstained or not answer.quotes:
            abstained += 1
            continue
        top = answer.quotes[0]
        article_ok = top.source_path.endswith(f"{jsonl_name}:{line}")
        quote_ok = longest_run(words(fragment), words(top.quote)) >= min(6, len(words(fragment)))
        if not same_speaker(source, top.speaker):
            wrong_speaker += 1
        elif not (quote_ok and article_ok):
            wrong_quote += 1
        else:
            right += 1
    invented_ok = sum(bot.ask(f'Who said "{q}"?').abstained for q in INVENTED)
    paraphrase_ok = sum(bot.ask(f"Who said {q}?").abstained for q in INVENTED)
    stitched = _stitched(cases, seed)
    stitched_ok = sum(bot.ask(f'Who said "{q}"?').abstained for q in stitched)
    articles, quotes = bot.index.counts()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "articles": articles,
        "quote_records": quotes,
        "questions": len(cases),
        "top1": right / max(1, len(cases)),
        "wrong_speaker": wrong_speaker,
        "wrong_quote_or_article": wrong_quote,
        "abstained_on_real": abstained,
        "invented_abstention": invented_ok / len(INVENTED),
        "invented_unquoted_abstention": paraphrase_ok / len(INVENTED),
        "stitched_abstention": stitched_ok / max(1, len(stitched)),
        "latency_ms_p50": statistics.median(ms) if ms else 0.0,
        "latency_ms_p95": ms[int(0.95 * (len(ms) - 1))] if ms else 0.0,
    }


def _stitched(cases: list[tuple[int, str, str, str]], seed: int) -> list[str]:
    """Six words of one real quote followed by six of another: must not be answered."""
    rng = random.Random(seed + 1)
    contents = [re.sub(r"[“”\"]", " ", c).split() for *_, c in cases]
    out = []
    for _ in range(min(40, len(contents) // 2)):
        a, b = rng.sample(contents, 2)
        out.append(" ".join(a[:6] + b[-6:]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/quotebot-polnear"))
    parser.add_argument("--limit", type=int, default=0, help="ask at most N real quotes")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (shared machine)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.store, args.limit, args.threads)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:32} {value:.3f}" if isinstance(value, float) else f"{key:32} {value}")


if __name__ == "__main__":
    main()
