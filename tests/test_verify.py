"""The quote check on hand-made evidence: supported, misattributed, fabricated, stitched."""

from __future__ import annotations

from pathlib import Path

from bot.chain.verify import (
    Evidence,
    longest_run,
    ordered_cover,
    pieces,
    quotations,
    verify_answer,
    word_spans,
    words,
)
from store.types import Hit

SEEDS = Path(__file__).resolve().parents[1] / "examples"  # the four seed articles

ARTICLE = (
    "Ahead of the vote, presidential official Andrei Rudenko addressed the house.\n"
    "“I believe this treaty is very timely,” he told the house.\n"
    "Kim has called Putin his “closest comrade” while Choe Son Hui said North Korea would "
    "“stand firmly by our Russian comrades until victory day”.\n"
    "The vote came as 3,000 troops arrived."
)


def _hit(quote: str, speaker: str) -> Hit:
    start = ARTICLE.index(quote)
    return Hit(
        id=f"d1:{start}",
        quote=quote,
        speaker=speaker,
        speaker_mention=speaker,
        kind="direct",
        cue="said",
        doc_id="d1",
        title="Vote",
        publisher="",
        published="",
        source_path="a.txt",
        start=start,
        end=start + len(quote),
    )


RUDENKO = _hit("I believe this treaty is very timely", "Andrei Rudenko")
KIM = _hit("closest comrade", "Kim Jong Un")
CHOE = _hit("stand firmly by our Russian comrades until victory day", "Choe Son Hui")
NAMES = {
    "Andrei Rudenko": "Andrei Rudenko",
    "Rudenko": "Andrei Rudenko",
    "Kim Jong Un": "Kim Jong Un",
    "Choe Son Hui": "Choe Son Hui",
    "Putin": "Vladimir Putin",
}


def _names(text: str) -> list[str]:
    found = {NAMES[n]: text.index(n) for n in NAMES if n in text}
    return sorted(found, key=found.__getitem__)


EVIDENCE = Evidence(
    cited={1: RUDENKO, 2: KIM, 3: CHOE},
    article_text=lambda doc_id: ARTICLE,
    records_in=lambda doc_id: [RUDENKO, KIM, CHOE],
    find_names=_names,
    canonical=lambda name: NAMES.get(name, name),
)


def _statuses(text: str) -> list[tuple[str, str]]:
    return [(c.quote, c.status) for c in verify_answer(text, EVIDENCE)]


def test_supported_quote_keeps_its_record() -> None:
    checks = verify_answer('Rudenko said: "I believe this treaty is very timely" [1].', EVIDENCE)
    assert [(c.status, c.cited, c.hit) for c in checks] == [("supported", 1, RUDENKO)]


def test_case_and_curly_quotes_do_not_matter() -> None:
    text = "Kim Jong Un called Putin his “Closest comrade” [2]."
    assert _statuses(text) == [("Closest comrade", "supported")]


def test_misattributed_words_exist_but_another_speaker_said_them() -> None:
    checks = verify_answer('Putin said: "I believe this treaty is very timely" [1].', EVIDENCE)
    assert checks[0].status == "misattributed"
    assert "Andrei Rudenko, not Vladimir Putin" in checks[0].reason
    narration = verify_answer('Rudenko said "the vote came as 3,000 troops arrived" [1]', EVIDENCE)
    assert narration[0].status == "misattributed"
    assert "does not attribute" in narration[0].reason


def test_stitched_fragments_are_fabricated() -> None:
    text = 'Choe Son Hui said: "stand firmly by our closest comrade" [3].'
    checks = verify_answer(text, EVIDENCE)
    assert checks[0].status == "fabricated" and "stitched from 2" in checks[0].reason


def test_invented_quote_is_fabricated() -> None:
    checks = verify_answer('Rudenko said: "we will win the war by Christmas" [1].', EVIDENCE)
    assert (checks[0].status, checks[0].reason) == (
        "fabricated",
        "these words are not in the cited article",
    )


def test_missing_or_unknown_marker() -> None:
    # No marker: the check finds the record whose article holds the words.
    assert _statuses('Choe Son Hui vowed to "stand firmly by our Russian comrades"') == [
        ("stand firmly by our Russian comrades", "supported")
    ]
    checks = verify_answer('Someone said "peace in our time" [9].', EVIDENCE)
    assert checks[0].status == "fabricated" and "[9] is not a retrieved quote" in checks[0].reason


def test_several_quotations_are_checked_one_by_one() -> None:
    text = (
        'Rudenko said "I believe this treaty is very timely" [1], and Kim Jong Un called Putin '
        'his "closest comrade" [2]. Putin said "victory is near" [2].'
    )
    assert [s for _, s in _statuses(text)] == ["supported", "supported", "fabricated"]


def test_word_helpers() -> None:
    assert words("The U.S. sent 3,000 troops; they’re “fair game”") == [
        "the", "u", "s", "sent", "3000", "troops", "theyre", "fair", "game"
    ]  # fmt: skip
    assert longest_run(words("a b c d"), words("x b c d y")) == 3
    assert pieces(words("a b x y"), words("a b q x y")) == [["a", "b"], ["x", "y"]]
    assert pieces(words("a zzz"), words("a b")) == []
    interrupted = words('"If you look at it," Rubio said, "I do not believe it."')
    assert ordered_cover(words("If you look at it, I do not believe"), interrupted) == 9
    assert ordered_cover(words("I do not believe. If you look"), interrupted) == 4  # in order only
    assert ordered_cover(words("a b c d"), words("a b" + " x" * 21 + " c d")) == 2  # gap too long
    assert [q for q, *_ in quotations('He said "one" [1] and “two”.')] == ["one", "two"]


def test_words_are_the_words_of_word_spans_on_real_articles() -> None:
    """``words`` (the fast path the ranker reads) gives exactly ``word_spans``'s words."""
    texts = [p.read_text(errors="replace") for p in sorted(SEEDS.glob("*"))]
    texts.append("Don’t: 3,000 at 6'3\" and fox13's ‘90s a''b résumé ﬁ _ __ l'été 1.5,6")
    for text in texts:
        assert words(text) == [w for w, _, _ in word_spans(text)]
    assert words("it's 3,000") == ["its", "3000"]
