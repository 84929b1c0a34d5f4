"""The extractive answerer: the best quote first, related quotes after it, or an abstention.

Every quote in an answer is a stored record (the article's own words); nothing is generated.
"""

from __future__ import annotations

import re

from bot.chain.ranker import load
from bot.chain.retrieve import Retrieval
from bot.chain.verify import words
from bot.types import Answer
from store.types import Hit

NOBODY = "No one in the indexed articles said that."
EMPTY = "No quotes are indexed yet. Run `quotebot ingest PATH` first."
# A topic inside one speaker's quotes needs less support than a who-said claim over all quotes.
TOPIC_MARGIN = 0.12
HAND_THRESHOLD = 0.5  # the support score's threshold when no fitted model is shipped
ABOUT = 3  # "what did X say about Y" shows at least this many of X's quotes when X has them
RELATED_MARGIN = 0.2
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.,])\d{4,}(?![\w,])")


def threshold(r: Retrieval, abstain_below: float | None) -> float:
    """The score a cited quote needs: the fitted model's threshold (or ``abstain_below`` when
    set); one speaker's quotes on a topic need less under the hand-written support score."""
    q = r.question
    model = load()
    if q.intent == "what" and r.speakers and not q.query:
        return 0.0
    if abstain_below is None:
        abstain_below = model.threshold if model else HAND_THRESHOLD
    if q.intent == "what" and r.speakers and model is None:
        return abstain_below - TOPIC_MARGIN
    return abstain_below


def compose(r: Retrieval, abstain_below: float | None, top_k: int) -> Answer:
    """An Answer from scored candidates; abstains when nothing reaches the threshold."""
    q = r.question
    cut = threshold(r, abstain_below)
    hits = [h for h in r.hits if h.score >= cut]
    if q.intent == "did" and r.speakers:
        return _did(r, hits, top_k)
    if not hits:
        return abstain(r)
    if q.intent == "what" and r.speakers and q.query:
        return _about(r, hits, top_k)
    best = hits[0]
    floor = max(cut, best.score - RELATED_MARGIN) if q.query else cut
    chosen = _distinct([best] + [h for h in hits[1:] if h.score >= floor])[:top_k]
    return Answer(q.text, render(chosen), False, chosen)


def _about(r: Retrieval, hits: list[Hit], top_k: int) -> Answer:
    """ "What did X say about Y?": X's quotes on Y, the most relevant first. Once the best one is
    supported, X's next quotes follow it (they are X's own words: the ranking orders them)."""
    q = r.question
    chosen = _distinct(hits)[:top_k]
    if len(chosen) < ABOUT:  # pad with X's next quotes on Y, in ranking order
        chosen = _distinct(chosen + [h for h in r.hits if h not in chosen])[:ABOUT]
    name = chosen[0].speaker
    one_source = len({h.doc_id for h in chosen}) == 1
    lines = [f"{name} on {q.query}:"] if len(chosen) > 1 else []
    for n, h in enumerate(chosen, 1):
        lines.append(line(n, h) if one_source else f"{line(n, h)} ({source(h)})")
    if one_source:
        lines.append(f"({source(chosen[0])})")
    lines += _figures(chosen)
    return Answer(q.text, "\n".join(lines), False, chosen)


def _distinct(hits: list[Hit]) -> list[Hit]:
    """Hits without repeats: an article that prints a sentence twice (standfirst and body) or two
    articles carrying one wire story give the same speaker's same words once, the best first."""
    seen: set[tuple[str, str]] = set()
    out = []
    for h in hits:
        key = (h.speaker, " ".join(words(h.quote)))
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def abstain(r: Retrieval | None, text: str = "") -> Answer:
    """The "nobody said that" answer, with a more specific sentence when there is one."""
    if r is None:
        return Answer("", text or NOBODY, True)
    q = r.question
    if not text and r.empty:
        text = EMPTY
    if not text and r.note:
        text = r.note
    if not text and q.intent == "what" and r.speakers:
        name = sorted(r.speakers)[0]
        text = f"{name} is not quoted about {q.query} in the indexed articles."
    return Answer(q.text, text or NOBODY, True)


def _did(r: Retrieval, hits: list[Hit], top_k: int) -> Answer:
    """ "Did X say Y?": yes with X's quote, or no and who did, or abstain."""
    q = r.question
    own = [h for h in hits if h.speaker in r.speakers or h.speaker in r.forms]
    name = sorted(r.speakers)[0]
    if own:
        chosen = [own[0]] + [h for h in hits if h is not own[0]][: top_k - 1]
        return Answer(q.text, "Yes. " + render(chosen), False, chosen)
    if hits:
        chosen = hits[:top_k]
        text = f"No quote of {name} saying that is in the indexed articles, but: " + render(chosen)
        return Answer(q.text, text, False, chosen)
    return abstain(r, f"No quote of {name} saying that is in the indexed articles.")


def line(n: int, h: Hit) -> str:
    """One cited quote as a sentence: the speaker and the article's own words."""
    if h.kind == "indirect":
        # Reported speech follows its cue in the article ("said that …", "confirmed the …").
        words, cue = h.quote.strip(), (h.cue or "said").lower()
        if cue.startswith("according"):
            return f"According to {h.speaker}, {words} [{n}]"
        if cue == ":":  # a headline's "Caddell: Democrat voters worried …"
            return f"{h.speaker}: {words} [{n}]"
        return f"{h.speaker} {cue} {words} [{n}]"
    inner = h.quote.strip().replace("“", "‘").replace("”", "’").replace('"', "'")
    return f"{h.speaker} said: “{inner}” [{n}]"


def source(h: Hit) -> str:
    parts = [p for p in (h.title, h.publisher, h.published[:10]) if p]
    return " — ".join(parts) if parts else h.source_path


def render(hits: list[Hit]) -> str:
    """Answer text with [n] markers: the best quote and its source, then the others."""
    lines = [line(1, hits[0]), f"({source(hits[0])})"]
    if len(hits) > 1:
        lines.append("")
        lines.append("Related quotes:")
        lines += [f"{line(i, h)} ({source(h)})" for i, h in enumerate(hits[1:], 2)]
    lines += _figures(hits)
    return "\n".join(lines)


def _figures(hits: list[Hit]) -> list[str]:
    """A note when cited quotes give different figures (3,000 vs 10,000 troops)."""
    found = [(i, n) for i, h in enumerate(hits, 1) for n in _NUMBER.findall(h.quote)]
    found = [(i, n) for i, n in found if not (len(n) == 4 and n.startswith(("19", "20")))]
    if len({n for _, n in found}) < 2 or len({i for i, _ in found}) < 2:
        return []
    listed = "; ".join(f"{n} [{i}]" for i, n in found)
    return ["", f"The sources give different figures: {listed}."]
