"""Fit the calibrated decision ``bot/chain/data/ranker.json`` on PolNeAR **train** questions.

    .venv/bin/python bench/fit_ranker.py --store /tmp/qb-polnear           # writes the model
    .venv/bin/python bench/fit_ranker.py --store /tmp/qb-polnear --check   # refit, compare

Training questions: tests/golden/natural_train.jsonl (typed the way people ask), who-said
questions with 12 verbatim words of PolNeAR train direct quotes, and invented or stitched quotes
that nobody said. For each question the retriever's candidates (stage one) get their feature
vectors (``bot.chain.ranker.FEATURES``) and a label: right speaker, quote and article. Two parts are
fitted (L2, Newton's method, numpy): a conditional logit that orders each pool holding a right
answer, then a logistic regression on each pool's best candidate (is it right?); the threshold is
the one that maximises train accuracy with the answer rule of ``quotebot eval``. Dev is never
read here.
``--check`` refits and compares what the two models *do* on the train questions: it exits 1 when
they give a different answer (another candidate, or an answer against an abstention) to more than
5% of them, or their train accuracies differ by more than 0.02. The weights are printed but not
compared: the embeddings differ slightly between CPUs (bf16 or not) and the features are
correlated, so refits on two machines move single weights by up to 0.6 and still give the same
answer to ~98% of the questions.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from polnear import DATA, polnear_store  # noqa: E402
from whosaid import INVENTED, gold_quotes, same_speaker  # noqa: E402

from bot.chain.question import parse_question  # noqa: E402
from bot.chain.ranker import (  # noqa: E402
    DECIDE,
    FEATURES,
    MODEL,
    POOL,
    Asked,
    Linear,
    Model,
    decision_row,
    pooled,
    rival_margin,
    same_answers,
    vectors,
)
from bot.chain.retrieve import enclosing, pool_for  # noqa: E402
from bot.chain.verify import longest_run, words  # noqa: E402
from bot.eval.evaluate import hit_verdicts, shown  # noqa: E402
from bot.eval.golden import GoldenItem, load_golden  # noqa: E402

L2 = 1.0
VERBATIM, SEED = 400, 11


def training_items() -> list[GoldenItem]:
    """Natural train questions, verbatim who-said questions and invented ones (train only)."""
    items = load_golden(ROOT / "tests" / "golden" / "natural_train.jsonl")
    cases = [
        (path.stem, src, content)
        for path in sorted((DATA / "train" / "text").glob("*.txt"))
        for src, content in gold_quotes(path.stem, "train")
    ]
    random.Random(SEED).shuffle(cases)
    for n, (stem, source, content) in enumerate(cases[:VERBATIM]):
        fragment = " ".join(re.sub(r"[“”\"]", " ", content).split()[:12])
        question = f'Who said "{fragment}"?'
        items.append(GoldenItem(f"v{n}", question, [source], fragment, stem, kind="verbatim"))
    for n, claim in enumerate(INVENTED):
        items.append(GoldenItem(f"i{n}", f'Who said "{claim}"?', answerable=False, kind="nobody"))
        items.append(GoldenItem(f"u{n}", f"Who said {claim}?", answerable=False, kind="nobody"))
    return items


# question, features, labels, quoted words, copies of one answer (``same_answers``)
Row = tuple[GoldenItem, np.ndarray, np.ndarray, int, np.ndarray]


def dataset(bot, items: list[GoldenItem]) -> list[Row]:
    """Per question: candidate feature vectors and labels (listings are not ranked: skipped)."""
    out = []
    people = bot.people
    people.refresh()
    for item in items:
        q = parse_question(item.question, people.publishers())
        pool = pool_for(bot.index, people, q, bot.settings.candidates)
        quoted = Asked.of(q).quoted
        if pool.listing or not pool.candidates:
            out.append((item, np.zeros((0, len(FEATURES))), np.zeros(0), quoted, np.zeros(0)))
            continue
        x = np.array(vectors(pool.candidates, q), dtype=np.float64)
        outer = enclosing(pool.candidates)  # a nested record is shown as the one around it
        shown_as = [outer.get(c.hit.id, c.hit) for c in pool.candidates]
        hits = [replace(h, speaker=people.canon(h.speaker)) for h in shown_as]
        y = np.array([item.answerable and _right(h, item) for h in hits], dtype=float)
        out.append((item, x, y, quoted, same_answers(pool.candidates)))
    return out


def _right(hit, item: GoldenItem) -> bool:
    """``quotebot eval``'s verdict; for verbatim questions bench/whosaid.py's (the extractor may
    cut a quote where the gold does not: a 6-word verbatim run in the right article counts)."""
    if item.kind != "verbatim":
        return all(hit_verdicts(hit, item).values())
    v = hit_verdicts(hit, item)
    run = longest_run(words(item.quote), words(hit.quote)) >= min(6, len(words(item.quote)))
    return v["source"] and run and same_speaker(item.speakers[0], hit.speaker)


def _weight(item: GoldenItem) -> float:
    """Natural questions (what people type) weigh twice a verbatim or invented one."""
    return 2.0 if item.id.startswith("nt") else 1.0


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_rank(data: list[Row]) -> Linear:
    """Conditional logit over each pool that holds a right answer (L2; Newton's method with
    step halving, since pools a feature separates would make plain Newton steps overshoot)."""
    pools = [(pooled(x), y / y.sum(), _weight(item)) for item, x, y, *_ in data if y.any()]
    mean, scale = _standardise(np.vstack([p for p, _, _ in pools]))
    zs = [((p - mean) / scale, y, w) for p, y, w in pools]

    def loss(w: np.ndarray) -> float:
        total = 0.5 * L2 * float(w @ w)
        for z, y, weight in zs:
            s = z @ w
            top = s.max()
            total += weight * (top + np.log(np.exp(s - top).sum()) - float(y @ s))
        return total

    w = np.zeros(len(mean))
    for _ in range(100):
        grad, hess = L2 * w, L2 * np.eye(len(w))
        for z, y, weight in zs:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += weight * z.T @ (p - y)
            hess += weight * (z.T * p) @ z - weight * np.outer(z.T @ p, z.T @ p)
        step, before = np.linalg.solve(hess, grad), loss(w)
        while loss(w - step) > before and np.abs(step).max() > 1e-10:
            step /= 2
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Linear(w.tolist(), mean.tolist(), scale.tolist())


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> Linear:
    """L2-penalised logistic regression (Newton's method)."""
    mean, scale = _standardise(x)
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [L2] * (z.shape[1] - 1))
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (weight * (p - y)) + penalty @ w
        hess = (z * (weight * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Linear(w[1:].tolist(), mean.tolist(), scale.tolist(), float(w[0]))


def fit(data: list[Row]) -> Model:
    """The ranking part first, then the decision on the best candidate of each pool it orders."""
    rank = fit_rank(data)
    rows, labels, weights = [], [], []
    for item, x, y, _, same in data:
        if not len(x):
            continue
        s = rank(pooled(x))
        order = np.argsort(-s, kind="stable")
        share = np.exp(s - s.max())
        share /= share.sum()
        rows.append(decision_row(share[order[0]], rival_margin(s, same), x[order[0]]))
        labels.append(float(item.answerable and y[order[: shown(item)]].any()))
        weights.append(_weight(item))
    weight = np.array(weights) * len(weights) / sum(weights)
    decide = fit_logistic(np.array(rows), np.array(labels), weight)
    model = Model(rank, decide, 0.5)
    model.threshold = best_threshold(model, data)
    return model


def decisions(model: Model, data: list[Row], threshold: float) -> list[bool]:
    """Per question, is the answer right under ``quotebot eval``'s rule at this threshold?"""
    right = []
    for item, x, y, quoted, same in data:
        if not len(x):
            right.append(not item.answerable)
            continue
        p = model.scores(x, quoted, same)
        order = np.argsort(-p, kind="stable")
        if p[order[0]] < threshold:
            right.append(not item.answerable)
        else:
            right.append(item.answerable and bool(y[order[: shown(item)]].any()))
    return right


def best_threshold(model: Model, data: list[Row]) -> float:
    grid = [t / 100 for t in range(20, 81)]
    scores = [sum(decisions(model, data, t)) for t in grid]
    best = max(scores)
    ties = [t for t, s in zip(grid, scores, strict=True) if s == best]
    return ties[len(ties) // 2]  # the middle of the best plateau


def report(model: Model, data: list[Row]) -> None:
    right = decisions(model, data, model.threshold)
    kinds: dict[str, list[bool]] = {}
    for (item, *_), ok in zip(data, right, strict=True):
        kinds.setdefault(item.kind or "answerable", []).append(ok)
    print(
        f"train accuracy {sum(right) / len(right):.3f} over {len(right)} questions, "
        f"threshold {model.threshold:.2f}"
    )
    for kind, oks in sorted(kinds.items()):
        print(f"  {kind:<15}{len(oks):>5}{sum(oks) / len(oks):>8.3f}")
    for part, names in (("rank", FEATURES + POOL), ("decide", DECIDE)):
        linear = getattr(model, part)
        top = sorted(zip(names, linear.weights, strict=True), key=lambda t: -abs(t[1]))[:8]
        print(f"  {part}: " + ", ".join(f"{n} {w:+.2f}" for n, w in top))


MAX_CHANGED, MAX_ACCURACY_SHIFT = 0.05, 0.02


def answers(model: Model, data: list[Row]) -> list[int | None]:
    """Per question, the candidate the model answers with (None: it abstains)."""
    out: list[int | None] = []
    for _, x, _, quoted, same in data:
        p = model.scores(x, quoted, same) if len(x) else np.zeros(0)
        best = int(np.argmax(p)) if len(p) else -1
        out.append(best if best >= 0 and p[best] >= model.threshold else None)
    return out


def compare(saved: Model, fresh: Model, data: list[Row]) -> tuple[float, float]:
    """Share of questions answered differently, and the change of train accuracy."""
    before, after = answers(saved, data), answers(fresh, data)
    changed = np.mean([a != b for a, b in zip(before, after, strict=True)])
    right = [np.mean(decisions(m, data, m.threshold)) for m in (saved, fresh)]
    shift = right[1] - right[0]
    return float(changed), float(shift)


def _moved(saved: dict, fresh: dict) -> float:
    return max(
        abs(a - b)
        for part in ("rank", "decide")
        for a, b in zip(saved[part]["weights"], fresh[part]["weights"], strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="refit and compare to the file")
    parser.add_argument("--dump", type=Path, help="also pickle the training rows here")
    args = parser.parse_args()
    bot = polnear_store(args.store)
    saved = json.loads(MODEL.read_text(encoding="utf-8")) if MODEL.exists() else None
    data = dataset(bot, training_items())  # stage one's candidates: the model plays no part
    if args.dump:
        with args.dump.open("wb") as f:
            pickle.dump(data, f)
    model = fit(data)
    report(model, data)
    fresh = json.loads(json.dumps(model.to_dict()))
    if args.check:
        if saved is None:
            sys.exit("no committed model to check")
        if saved.get("version") != fresh["version"]:
            sys.exit(f"the committed model is {saved.get('version')}, not {fresh['version']}")
        moved = _moved(saved, fresh)
        print(
            f"largest weight change {moved:.3f}, threshold "
            f"{saved['threshold']:.2f} → {fresh['threshold']:.2f}"
        )
        changed, shift = compare(Model.from_dict(saved), model, data)
        print(f"answers changed on {changed:.1%} of the train questions, accuracy {shift:+.3f}")
        sys.exit(1 if changed > MAX_CHANGED or abs(shift) > MAX_ACCURACY_SHIFT else 0)
    rounded = json.loads(json.dumps(fresh), parse_float=lambda v: round(float(v), 6))
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    MODEL.write_text(json.dumps(rounded, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL}")


if __name__ == "__main__":
    main()
