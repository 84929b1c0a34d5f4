"""Question understanding: intents, quoted fragments, speakers, filters, follow-up references."""

from __future__ import annotations

import pytest

from bot.chain.question import parse_question, resolve_references


@pytest.mark.parametrize(
    ("text", "intent", "claim", "speaker", "topic"),
    [
        (
            "Who said North Korean troops would be fair game?",
            "who",
            "North Korean troops would be fair game",
            "",
            "",
        ),
        (
            "who warned the soldiers could be targeted",
            "who",
            "the soldiers could be targeted",
            "",
            "",
        ),
        (
            "What did Nebenzia say about the US allegation?",
            "what",
            "",
            "Nebenzia",
            "the US allegation",
        ),
        ("What did Ms Shea say?", "what", "", "Ms Shea", ""),
        ("What else did she say?", "what", "", "she", ""),
        ("Putin's comments on the pact", "what", "", "Putin", "the pact"),
        (
            "What was Carly Fiorina's line about Hillary Clinton and flying?",
            "what",
            "",
            "Carly Fiorina",
            "Hillary Clinton and flying",
        ),
        ("What was Sanders' response to the AP call?", "what", "", "Sanders", "the AP call"),
        ("quotes by the U.S. about troops", "what", "", "the U.S", "troops"),
        (
            "According to whom is the treaty very timely?",
            "who",
            "is the treaty very timely",
            "",
            "",
        ),
        (
            "North Korean soldiers are slaves, according to whom?",
            "who",
            "North Korean soldiers are slaves",
            "",
            "",
        ),
        ("Did Putin say the treaty was timely?", "did", "the treaty was timely", "Putin", ""),
        ("fair game", "find", "fair game", "", ""),
    ],
)
def test_intents(text: str, intent: str, claim: str, speaker: str, topic: str) -> None:
    q = parse_question(text)
    assert (q.intent, q.claim, q.speaker, q.topic) == (intent, claim, speaker, topic)


def test_quoted_fragment_is_kept_verbatim() -> None:
    q = parse_question("Who said “I believe this treaty is very timely”?")
    assert q.fragment == "I believe this treaty is very timely"
    assert q.query == q.fragment
    assert parse_question("Who said 'fair game' about troops?").fragment == "fair game"
    assert parse_question("Who said Putin's pact isn't new?").fragment == ""  # apostrophes


def test_source_and_date_filters() -> None:
    q = parse_question(
        "Who called the offensive a “sacred struggle” in the Kyiv Independent in October 2024?",
        sources=["The Kyiv Independent", "AFP"],
    )
    assert (q.source, q.month, q.year) == ("the Kyiv Independent", 10, 2024)
    assert q.claim == "the offensive a sacred struggle" and q.fragment == "sacred struggle"
    # An unknown name stays part of the claim: "in Ukraine" is not a source.
    q = parse_question("Who said troops would fight in Ukraine?", sources=["AFP"])
    assert q.source == "" and q.claim == "troops would fight in Ukraine"
    assert parse_question("Who said it in 2016?").year == 2016


def test_a_date_in_what_the_speaker_did_is_not_a_date_limit() -> None:
    """ "who worked against Cruz in 2012" describes the pollster; the quote is from any time."""
    q = parse_question(
        "Which Austin pollster who worked against Cruz in 2012 said he is doing well?"
    )
    assert (q.month, q.year) == (None, None)
    assert q.kind == "Austin pollster who worked against Cruz in 2012"
    assert q.claim == "he is doing well"
    q = parse_question("Which senator said in June 2016 that taxes would rise?")
    assert (q.kind, q.month, q.year) == ("senator", 6, 2016)


@pytest.mark.parametrize(
    ("text", "kind", "cue", "claim"),
    [
        (
            "Which retired general agreed with Trump that the brass was in ruins?",
            "retired general",
            "agreed",
            "with Trump that the brass was in ruins",
        ),
        (
            "Which CBS anchor pushed back on Kaine, saying Clinton rarely takes questions?",
            "CBS anchor",
            "pushed back",
            "on Kaine, saying Clinton rarely takes questions",
        ),
        ("Which poll found that Sanders trails?", "poll", "found", "Sanders trails"),
        ("Whose aide said the minister stood by it?", "aide", "said", "the minister stood by it"),
        ("Who brushed off Estonia as a suburb?", "", "brushed off", "Estonia as a suburb"),
        ("Which senator asked whether banks were big?", "senator", "asked", "banks were big"),
        # a speech verb later in the question is the cue, not the first word in -ed
        ("Which group tied to X said taxes rise?", "group tied to X", "said", "taxes rise"),
    ],
)  # fmt: skip
def test_any_verb_after_who_or_which_kind(text: str, kind: str, cue: str, claim: str) -> None:
    """Users ask with verbs of every kind; the speaker's kind and the claim are still found."""
    q = parse_question(text)
    assert (q.intent, q.kind, q.cue, q.claim) == ("who", kind, cue, claim)
    assert parse_question("Which reporters were in the room?").intent == "find"


def _names(text: str) -> list[str]:
    known = ["Dorothy Camille Shea", "Vladimir Putin", "Andrei Rudenko"]
    return sorted((n for n in known if n in text), key=text.index)


def test_pronoun_follow_up_uses_history_and_gender() -> None:
    history = [
        {"role": "user", "content": "What did Ms Shea say?"},
        {
            "role": "assistant",
            "content": "Dorothy Camille Shea said: “In turn, the DPRK will likely be eager” [1] "
            "Vladimir Putin said: “breakthrough document” [2]",
        },
    ]
    gender = {"Dorothy Camille Shea": "f", "Vladimir Putin": "m"}
    she = resolve_references(parse_question("What else did she say?"), history, _names, gender)
    assert she.speaker == "Dorothy Camille Shea"
    assert "In turn, the DPRK will likely be eager" in she.exclude
    he = resolve_references(parse_question("What did he say?"), history, _names, gender)
    assert he.speaker == "Vladimir Putin" and he.exclude == []


def test_that_refers_to_the_previous_quote() -> None:
    history = [
        {"role": "user", "content": "Who said the treaty is very timely?"},
        {
            "role": "assistant",
            "content": "Andrei Rudenko said: “I believe this treaty is very timely” [1]",
        },
    ]
    q = resolve_references(parse_question("Who else said that?"), history, _names, {})
    assert q.claim == "I believe this treaty is very timely"
    assert q.exclude_speakers == ["Andrei Rudenko"]
    q = resolve_references(parse_question("Did Putin say that?"), history, _names, {})
    assert (q.intent, q.speaker, q.claim) == (
        "did",
        "Putin",
        "I believe this treaty is very timely",
    )


def test_no_history_leaves_pronouns_alone() -> None:
    q = resolve_references(parse_question("What did she say?"), [], _names, {})
    assert q.speaker == "she"
