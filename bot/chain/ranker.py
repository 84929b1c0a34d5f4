"""The calibrated decision: a logistic model over each candidate's features gives the probability
that it is the right answer (right speaker, quote and article); an answer cites what clears the
fitted threshold, else abstains.

The model is a small JSON file (``bot/chain/data/ranker.json``) fitted on the natural and verbatim
questions of PolNeAR **train** by ``bench/fit_ranker.py`` (``--check`` refits and compares).
Without the file, the hand-written support score of ``rank.Features`` is used as it is.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.chain.candidates import Candidate
from bot.chain.question import Question
from bot.chain.rank import FRAGMENT_RUN, LONG_FRAGMENT, Features, features
from bot.chain.verify import STOPWORDS, fold, stem, terms, words

MODEL = Path(__file__).resolve().parent / "data" / "ranker.json"
PLAIN_CUES = {"said", "say", "says", "told", "tells", "tell", "stated"}
# Kinds of speaker that are organisations, and words that mark an organisation's name.
ORG_KINDS = frozenset(
    """newspaper paper network outlet channel station group organization organisation company
    firm campaign committee tank poll survey agency magazine website site publication party union
    pac institute center centre foundation association coalition administration department
    office government council court board bureau service team""".split()
)
ORG_NAMES = re.compile(
    r"\b(times|post|news|journal|tribune|herald|gazette|cnn|nbc|abc|cbs|fox|msnbc|bloomberg|"
    r"reuters|ap|associated press|politico|committee|campaign|center|centre|institute|foundation|"
    r"group|association|party|poll|survey|council|department|ministry|office|agency|twitter|"
    r"facebook|google|university|pac|club|union|coalition|administration|house|senate|court)\b"
)
FEATURES = [
    "support", "dense", "lexical", "cover_sentence", "cover_quote", "cover_paragraph",
    "cover_title", "run", "in_quote", "pieces", "cue", "kind_asked", "kind_cover", "kind_org",
    "org_mismatch", "direct", "indirect", "named_speaker", "dense_top", "lexical_top", "bad_name",
    "verbatim",
]  # fmt: skip


@dataclass
class Asked:
    """What a question brings to every candidate's features."""

    wanted: set[str]
    needle: list[str]
    quoted: int
    cue: str
    kind: set[str] = field(default_factory=set)
    kind_org: bool = False
    named: bool = False

    @classmethod
    def of(cls, q: Question) -> Asked:
        needle = words(q.fragment or q.query)
        kind = {stem(w) for w in words(q.kind) if w not in STOPWORDS}
        org = bool({w for w in words(q.kind)} & ORG_KINDS)
        cue = stem(q.cue) if q.cue and q.cue not in PLAIN_CUES else ""
        quoted = len(needle) if q.fragment else 0
        return cls(set(terms(q.query)), needle, quoted, cue, kind, org, bool(q.speaker))


def _cover(wanted: set[str], stems: frozenset[str]) -> float:
    return len(wanted & stems) / len(wanted) if wanted else 0.0


def _is_org(meta: dict[str, Any]) -> bool:
    kind = str(meta.get("speaker_kind", ""))  # person / org from the extractor's NER
    if kind:
        return kind == "org"
    return bool(ORG_NAMES.search(fold(str(meta.get("speaker", "")))))


def _bad_name(name: str) -> bool:
    """Not a person's or organisation's name: a number, a lower-case phrase, a long description."""
    return not name or name[:1].isdigit() or name[:1].islower() or len(name.split()) > 6


def vector(
    c: Candidate, f: Features, a: Asked, top_dense: float, top_lexical: float
) -> list[float]:
    m = c.meta
    kind_cover = _cover(a.kind, c.stems("who") | c.stems("context")) if a.kind else 0.0
    org = _is_org(m)
    return [
        f.score(a.quoted),
        f.dense,
        c.lexical / top_lexical if top_lexical > 0 else 0.0,
        f.coverage,
        _cover(a.wanted, c.stems("quote")),
        _cover(a.wanted, c.stems("context")),
        _cover(a.wanted, c.stems("title")),
        f.run,
        f.in_quote,
        f.pieces,
        f.cue,
        float(bool(a.kind)),
        kind_cover,
        float(bool(a.kind) and a.kind_org and org),
        float(bool(a.kind) and a.kind_org != org),
        float(m.get("kind") != "indirect"),
        float(m.get("kind") == "indirect"),
        float(a.named),
        float(f.dense >= top_dense - 1e-6),
        float(c.lexical >= top_lexical > 0),
        float(_bad_name(str(m.get("speaker", "")))),
        float(a.quoted >= 4 and (f.in_quote >= 0.999 or f.pieces >= 0.999)),
    ]


@dataclass
class Model:
    """Logistic regression over standardised features."""

    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]
    threshold: float

    def score(self, x: list[float]) -> float:
        """The decision score: the model's probability, or the support score where that is
        higher (the hand-written rules for verbatim and stitched quotes stay in force)."""
        return max(self.prob(x), x[0])

    def prob(self, x: list[float]) -> float:
        z = self.bias + sum(
            w * (v - mu) / s
            for w, v, mu, s in zip(self.weights, x, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self) -> dict[str, Any]:
        return {"version": "ranker.v1", "features": FEATURES, **self.__dict__}


@lru_cache(maxsize=4)
def load(path: Path = MODEL) -> Model | None:
    """The shipped model, or None when there is none (or it was fitted on other features)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("features") != FEATURES:
        return None
    return Model(data["weights"], data["bias"], data["mean"], data["scale"], data["threshold"])


def vectors(pool: list[Candidate], q: Question) -> list[list[float]]:
    """The feature vectors of a pool (what bench/fit_ranker.py fits on)."""
    a = Asked.of(q)
    feats = [features(c, a.wanted, a.needle, a.cue) for c in pool]
    top_dense = max((f.dense for f in feats), default=0.0)
    top_lexical = max((c.lexical for c in pool), default=0.0)
    return [vector(c, f, a, top_dense, top_lexical) for c, f in zip(pool, feats, strict=True)]


def score_all(pool: list[Candidate], q: Question, model: Model | None) -> list[float]:
    """Each candidate's decision score (its support score, without a model). Quoted words that
    are mostly not in the record (an invented or stitched quote) keep the support score's cap:
    no learned weight may make a near topic pass for the quote."""
    xs = vectors(pool, q)
    quoted = Asked.of(q).quoted
    run = FEATURES.index("run")
    return [
        x[0]
        if model is None or (quoted >= LONG_FRAGMENT and x[run] < FRAGMENT_RUN)
        else model.score(x)
        for x in xs
    ]
