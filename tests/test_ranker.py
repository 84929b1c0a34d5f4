"""The shipped decision model (bot/chain/data/ranker.json) and its fit (bench/fit_ranker.py)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import ROOT

from bot.chain.ranker import CLOSE_SUPPORT, DECIDE, FEATURES, POOL, load, pooled
from bot.eval.golden import GoldenItem

sys.path.insert(0, str(ROOT / "bench"))
import fit_ranker  # noqa: E402

SUPPORT, RUN = FEATURES.index("support"), FEATURES.index("run")


def pool(rng: np.random.Generator, n: int = 8) -> np.ndarray:
    return rng.uniform(0.0, 1.0, size=(n, len(FEATURES)))


def test_the_shipped_model_loads_with_both_parts() -> None:
    model = load()
    assert model is not None, "ranker.json is missing or fitted on other features"
    assert len(model.rank.weights) == len(FEATURES) + len(POOL)
    assert len(model.decide.weights) == len(DECIDE)
    assert 0.2 <= model.threshold <= 0.8


def test_scores_are_probabilities_and_only_a_close_match_overrides_the_ranking() -> None:
    """A support score of at least ``CLOSE_SUPPORT`` passes where it is higher; weaker ones
    leave the fitted ranking's first candidate on top."""
    model = load()
    rng = np.random.default_rng(3)
    for _ in range(20):
        xs = pool(rng)
        scores = model.scores(xs)
        assert ((0.0 <= scores) & (scores <= 1.0)).all()
        close = xs[:, SUPPORT] >= CLOSE_SUPPORT
        assert (scores[close] >= xs[close, SUPPORT]).all()
        xs[:, SUPPORT] = rng.uniform(0.0, CLOSE_SUPPORT - 1e-6, size=len(xs))
        scores = model.scores(xs)
        assert int(np.argmax(scores)) == int(np.argmax(model.rank(pooled(xs))))


def test_quoted_words_keep_the_support_rules() -> None:
    """A verbatim match passes whatever the model says; an invented quote (a long fragment
    with no long verbatim run) keeps its capped support however near its topic is."""
    model = load()
    xs = pool(np.random.default_rng(5))
    xs[0, SUPPORT], xs[0, RUN] = 0.95, 1.0
    assert model.scores(xs, quoted=10)[0] >= 0.95
    xs[:, RUN], xs[:, SUPPORT] = 0.2, 0.3
    assert (model.scores(xs, quoted=10) == 0.3).all()


def test_the_ranking_fit_converges_on_pools_one_feature_separates() -> None:
    """Plain Newton steps overshoot when a feature separates every pool; the fit must still
    put the right candidate first and stay finite."""
    rng = np.random.default_rng(7)
    data = []
    for n in range(60):
        xs = pool(rng)
        y = np.zeros(len(xs))
        right = int(rng.integers(len(xs)))
        xs[:, FEATURES.index("cover_quote")] = 0.0
        xs[right, FEATURES.index("cover_quote")] = 1.0  # separates perfectly
        y[right] = 1.0
        item = GoldenItem(f"nt{n}", "Who said it?", ["X"], "q", "s")
        data.append((item, xs, y, 0, np.arange(len(xs))))
    rank = fit_ranker.fit_rank(data)
    assert np.isfinite(rank.weights).all() and max(map(abs, rank.weights)) < 50
    for _, xs, y, *_ in data:
        assert y[int(np.argmax(rank(pooled(xs))))] == 1.0


def test_the_asked_kind_matches_words_of_its_group() -> None:
    """ "Which GOP strategist …" is answered by a "Republican consultant"; no group, no match."""
    from bot.chain.ranker import _kind_cover
    from bot.chain.verify import stem

    found = frozenset(stem(w) for w in "kevin madden a republican consultant".split())
    assert _kind_cover({stem("gop"), stem("strategist")}, found) == 1.0
    assert _kind_cover({stem("senator")}, found) == 0.0
    assert _kind_cover({stem("pianist")}, frozenset({stem("pianist")})) == 1.0


def test_check_compares_what_two_models_answer_not_their_weights() -> None:
    """``--check``'s comparison: a model against itself changes nothing; one whose threshold
    makes it abstain everywhere changes exactly the answers the first one gave."""
    from dataclasses import replace

    rng = np.random.default_rng(11)
    data = []
    for n in range(40):
        xs = pool(rng)
        y = np.zeros(len(xs))
        y[int(np.argmax(xs[:, SUPPORT]))] = 1.0
        item = GoldenItem(f"nt{n}", "Who said it?", ["X"], "q", "s")
        data.append((item, xs, y, 0, np.arange(len(xs))))
    model = load()
    assert fit_ranker.compare(model, model, data) == (0.0, 0.0)
    silent = replace(model, threshold=2.0)
    changed, _ = fit_ranker.compare(model, silent, data)
    given = sum(a is not None for a in fit_ranker.answers(model, data))
    assert given > 0 and changed == given / len(data)


def test_copies_of_the_best_answer_are_not_its_rivals() -> None:
    """Editions of one story, or a quote and its sentence, are one answer: the margin the
    decision reads is taken against the best candidate that is another answer."""
    from bot.chain.candidates import Candidate
    from bot.chain.ranker import rival_margin, same_answers
    from store.index import Stored

    def candidate(doc: str, start: int, end: int, speaker: str, quote: str) -> Candidate:
        meta = {"doc_id": doc, "start": start, "end": end, "speaker": speaker, "quote": quote}
        return Candidate(Stored(f"{doc}:{start}:{end}", meta, quote))

    pool = [
        candidate("a", 10, 40, "Dorothy Shea", "Troops will be fair game."),
        candidate("b", 90, 120, "Shea", "Troops will be fair game."),  # another edition
        candidate("a", 0, 60, "Dorothy Shea", "She said troops will be fair game."),  # around it
        candidate("a", 10, 40, "Vassily Nebenzia", "Troops will be fair game."),  # a rival
        candidate("c", 5, 25, "Ann Lee", "The bridge is safe."),
    ]
    same = same_answers(pool)
    assert same[0] == same[1] == same[2] and len({same[0], same[3], same[4]}) == 3
    s = np.array([3.0, 2.9, 2.8, 1.0, 0.5])
    assert rival_margin(s, same) == pytest.approx(2.0)
    assert rival_margin(s) == pytest.approx(0.1)  # without labels: the runner-up, as before
    assert rival_margin(np.array([1.0, 0.5]), np.array([0, 0])) == 5.0  # no rival at all
