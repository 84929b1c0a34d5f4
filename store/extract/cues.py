"""Cue lexicons: the verbs and phrases that introduce what someone said (data in data/cues.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

DATA = Path(__file__).parent / "data" / "cues.json"

# Verbs whose complement is a statement even without quote marks ("told lawmakers that X").
SPEECH_VERBS = frozenset(
    """say tell add write insist warn announce claim argue explain note state declare report
    tweet post reply respond answer ask assert acknowledge admit allege complain concede confirm
    contend deny describe emphasize emphasise estimate predict promise pledge vow reiterate repeat
    recall remark reveal stress suggest testify urge boast joke quip retort scoff continue conclude
    observe point mention maintain counter caution charge accuse call dismiss praise criticize
    criticise slam blast lament concur agree disagree indicate inform assure remind signal
    recount proclaim exclaim shout yell whisper mutter describe characterize predict speculate
    insinuate opine add affirm hint question wonder demand order threaten brag reject refute
    rebut decry denounce condemn""".split()
)
# Verbs of belief and intention: PolNeAR counts them as attributions too ("he thinks that X").
BELIEF_VERBS = frozenset(
    """think believe know feel hope fear expect want worry doubt consider assume guess suspect
    understand realize realise decide plan intend wish figure""".split()
)
PREP_CUES = {"according": "to"}
# Nouns whose "that" clause is what their owner said or thinks ("Trump's claim that X").
CUE_NOUNS = frozenset(
    """claim assertion allegation accusation argument insistence warning promise pledge vow
    suggestion admission belief view fear hope announcement remark comment denial charge
    contention prediction threat statement assurance complaint concern conclusion
    """.split()
)
# Multi-word cues with no verb: "in a statement", "in an interview" (attach to a nearby verb).
STATEMENT_NOUNS = frozenset(
    "statement interview tweet post speech letter release remarks email op-ed column".split()
)
# "In a CNN poll released Monday, X": nouns whose "in" phrase names the source of a clause.
SOURCE_NOUNS = frozenset(
    """poll polls survey surveys statement interview report study memo letter speech op-ed
    tweet post column filing affidavit complaint lawsuit ruling opinion words remarks""".split()
)


_IRREGULAR = {
    "said": "say",
    "says": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "thought": "think",
    "knew": "know",
    "known": "know",
    "felt": "feel",
    "understood": "understand",
    "saw": "see",
    "seen": "see",
    "spoke": "speak",
    "spoken": "speak",
    "made": "make",
    "gave": "give",
    "given": "give",
    "took": "take",
    "taken": "take",
    "found": "find",
    "held": "hold",
    "put": "put",
    "read": "read",
    "meant": "mean",
    "heard": "hear",
}


def lemma_guesses(form: str) -> list[str]:
    """Possible base forms of an inflected verb (the lemmatizer is disabled for speed)."""
    if form in _IRREGULAR:
        return [_IRREGULAR[form]]
    guesses = [form]
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ing", "e"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
    ):
        if form.endswith(suffix) and len(form) > len(suffix) + 2:
            base = form[: -len(suffix)] + repl
            guesses.append(base)
            if repl == "" and len(base) > 2 and base[-1] == base[-2]:
                guesses.append(base[:-1])  # "admitted" → "admit"
    return guesses


@lru_cache(maxsize=4096)
def lemma_of(form: str) -> str:
    """Base form of a verb, chosen among guesses that appear in a cue lexicon."""
    guesses = lemma_guesses(form)
    core = SPEECH_VERBS | BELIEF_VERBS  # before the learned words: "telling" → "tell", not itself
    for known in (core, learned_cues().keys()):
        for guess in guesses:
            if guess in known:
                return guess
    return form


@lru_cache(maxsize=1)
def learned_cues() -> dict[str, float]:
    """Cue lemmas learned on PolNeAR train with their cue rate (empty if the file is missing)."""
    if not DATA.exists():
        return {}
    return {k: float(v) for k, v in json.loads(DATA.read_text(encoding="utf-8")).items()}


def cue_score(token: Token) -> float:
    """How likely a verb token is an attribution cue (1.0 for core speech verbs)."""
    lemma = lemma_of(token.lower_)
    if lemma in SPEECH_VERBS:
        return 1.0
    learned = learned_cues().get(token.lower_, learned_cues().get(lemma, 0.0))
    return max(learned, 0.6) if lemma in BELIEF_VERBS else learned


def is_speech_verb(token: Token) -> bool:
    """A verb that reports speech (used to attribute quote-marked text)."""
    lemma = lemma_of(token.lower_)
    return token.pos_ in ("VERB", "AUX") and (lemma in SPEECH_VERBS or lemma in BELIEF_VERBS)
