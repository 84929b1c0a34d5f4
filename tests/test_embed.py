"""The MiniLM embedder: bf16 where the CPU has it must not change what users get.

bfloat16 rounding differs between CPUs (AMX on Intel, AVX-512 BF16 on AMD EPYC), so nothing here
asserts an exact order of near-tied records; the guarantees are the ones a user can see: the same
candidates, the same top answer, the same verdict on every golden question.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core import Bot
from bot.eval.brat import golden_from_brat
from bot.eval.evaluate import evaluate, load_golden
from bot.eval.golden import GoldenItem
from bot.settings import Settings
from store.embed import MiniLMEmbedding
from store.index import QuoteIndex, connect
from store.read import read_paths

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"

# Scores closer than this are ties a user cannot tell apart: bf16 may swap their order.
TIE = 0.01

QUESTIONS = [
    "Who said North Korean troops would be fair game?",
    "What did Nebenzia say about the US allegation?",
    "Who called the treaty a breakthrough document?",
    "What did the mayor say about the bridge?",
    "Who said Russia could provide weapons to Pyongyang?",
    "Who warned about the deployment of troops to Kursk?",
]


def same_ranking(ref: np.ndarray, test: np.ndarray, queries: np.ndarray, k: int = 5) -> list[str]:
    """Where ``test`` vectors rank documents differently from ``ref`` in a way a user would see.

    Each query's top k under ``test`` must hold every document that is clearly in the reference
    top k (ahead of its k-th score by more than TIE) and nothing clearly out of it; the top answer
    may differ only within a near tie. An empty list means the two rank alike.
    """
    problems = []
    for n, q in enumerate(queries):
        s_ref, s_test = ref @ q, test @ q
        top_ref, top_test = np.argsort(-s_ref)[:k], np.argsort(-s_test)[:k]
        kth = s_ref[top_ref[-1]]
        lost = {int(i) for i in top_ref if s_ref[i] > kth + TIE} - set(top_test.tolist())
        gained = {int(i) for i in top_test if s_ref[i] < kth - TIE}
        if lost or gained:
            problems.append(f"query {n}: lost {sorted(lost)}, gained {sorted(gained)}")
        if s_ref[top_ref[0]] - s_ref[top_test[0]] > TIE:
            problems.append(f"query {n}: top answer {top_test[0]} instead of {top_ref[0]}")
    return problems


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return [
        line.strip()
        for path in sorted((ROOT / "examples").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.split()) >= 8
    ]


def test_bf16_vectors_rank_like_float32(seed_lines: list[str]) -> None:
    """Near-tied records may swap places; a lost or gained candidate or top answer may not."""
    fp32, bf16 = MiniLMEmbedding(bf16=False), MiniLMEmbedding(bf16=True)
    docs32, docs16 = fp32.encode(seed_lines), bf16.encode(seed_lines)
    assert len(seed_lines) > 50 and docs16.dtype == docs32.dtype
    assert float((docs32 * docs16).sum(axis=1).min()) > 0.999
    q32, q16 = fp32.encode(QUESTIONS), bf16.encode(QUESTIONS)
    assert same_ranking(docs32, docs16, q16) == []
    assert same_ranking(docs32, docs16, q32) == []  # bf16 records, a float32 question


def test_the_ranking_check_catches_a_broken_quantisation(seed_lines: list[str]) -> None:
    """Values cut to 3 bits (7 levels) change top answers: the check above would fail on them."""
    fp32 = MiniLMEmbedding(bf16=False)
    docs, queries = fp32.encode(seed_lines), fp32.encode(QUESTIONS)
    coarse = np.round(docs / np.abs(docs).max() * 3)
    coarse /= np.linalg.norm(coarse, axis=1, keepdims=True)
    problems = same_ranking(docs, coarse.astype(np.float32), queries)
    assert any("top answer" in p for p in problems)


def _stores(tmp_path: Path, corpus: Path) -> tuple[Bot, Bot]:
    """Two stores of one corpus, extracted once, embedded in float32 and in bf16."""
    articles = [a for a in read_paths([corpus]) if hasattr(a, "doc_id")]
    bots: list[Bot] = []
    quotes: list = []
    for name, bf16 in (("fp32", False), ("bf16", True)):
        settings = Settings(store=tmp_path / name)
        bot = Bot.build(settings)
        quotes = quotes if bots else bot.extract_articles([a.text for a in articles])
        index = QuoteIndex(connect(str(settings.store)), MiniLMEmbedding(bf16=bf16), "quotebot")
        index.add(list(zip(articles, quotes, strict=True)))
        bots.append(bot)
    return bots[0], bots[1]


def _verdicts(bot: Bot, items: list[GoldenItem]) -> list[tuple[str, bool]]:
    return [(r.item.id, r.correct) for r in evaluate(bot, items).items]


def test_bf16_store_gives_the_same_seed_verdicts(tmp_path: Path) -> None:
    fp32, bf16 = _stores(tmp_path, ROOT / "examples")
    items = load_golden(ROOT / "tests" / "golden" / "seeds.jsonl")
    assert _verdicts(bf16, items) == _verdicts(fp32, items)
    assert all(correct for _, correct in _verdicts(fp32, items))


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="needs ../shared/data/polnear/dev")
def test_bf16_store_gives_the_same_polnear_dev_verdicts(tmp_path: Path) -> None:
    fp32, bf16 = _stores(tmp_path, POLNEAR_DEV / "text")
    golden = tmp_path / "dev.jsonl"
    golden_from_brat(POLNEAR_DEV, golden)
    items = load_golden(golden)
    assert len(items) > 200
    assert _verdicts(bf16, items) == _verdicts(fp32, items)


def test_question_vectors_without_torch_match_sentence_transformers(seed_lines: list[str]) -> None:
    """``question`` (numpy, ``store.minilm``) gives ``encode``'s float32 vector: long, short,
    accented, padded and over-long (truncated at 256 tokens) texts alike."""
    fp32 = MiniLMEmbedding(bf16=False)
    texts = [*QUESTIONS, *seed_lines[:40], "  Who said   it?  ", "Zelenskyy’s “peace” — é ü", "x"]
    texts.append(" ".join(seed_lines)[:5000])  # far past 256 tokens
    ref = np.stack([fp32.encode([t])[0] for t in texts])
    got = np.stack([fp32.question(t) for t in texts])
    assert got.dtype == np.float32 and got.shape == ref.shape
    assert float(np.abs(got - ref).max()) < 1e-5
    assert float((got * ref).sum(axis=1).min()) > 0.99999


def test_asking_does_not_import_torch(seeded_store: Path) -> None:
    """A fresh process that answers a question never imports torch or transformers (~6 s)."""
    import subprocess
    import sys

    code = (
        "import sys; from bot.core import Bot; from bot.settings import Settings; "
        f"a = Bot.build(Settings(store={str(seeded_store)!r}))"
        ".ask('Who said North Korean troops would be fair game?'); "
        "assert a.quotes and not a.abstained, a; "
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules))"
    )
    got = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip().splitlines()[-1] == "[]"
