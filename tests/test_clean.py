"""Cleaning: mojibake repair and boilerplate removal by general rules, checked on real seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from store.clean import clean_text, fix_text, is_boilerplate_sentence, remove_boilerplate
from store.read import read_paths

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    """Cleaned seed articles by file name prefix (000…003)."""
    return {Path(a.source_path).name[:3]: a.text for a in read_paths([EXAMPLES])}


def _raw(prefix: str) -> str:
    return fix_text(next(EXAMPLES.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8"))


# --- made-up cases -------------------------------------------------------------------------


def test_appeals_that_address_the_reader_go() -> None:
    text = (
        "Mayor Ann Lee opened the bridge on Monday.\n"
        "Your support keeps our newsroom independent. Donate today.\n"
        "Sign up for our morning newsletter.\n"
        "Lee said the works cost $4 million."
    )
    assert remove_boilerplate(text) == (
        "Mayor Ann Lee opened the bridge on Monday.\nLee said the works cost $4 million."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Clinton accepted millions in donations from Wall Street firms.",  # topic, not appeal
        "Super PAC donations passed the $1 billion mark in August.",
        "The magazine's cookie poll has picked five of the last six winners.",
        "Support for NATO has been a bipartisan cause since 1949.",
        "The U.S. share of the fund fell, officials said.",  # "U.S." is not "us"
        "Aides said we should expect more donations, according to the memo.",  # reported speech
        "“Subscribe to my newsletter,” the candidate told supporters.",  # a quote
    ],
)
def test_news_sentences_about_money_and_media_stay(sentence: str) -> None:
    assert not is_boilerplate_sentence(sentence)
    assert remove_boilerplate(f"Intro line of the story.\n{sentence}").endswith(sentence)


def test_a_quotation_spanning_sentences_is_protected() -> None:
    block = (
        "“On behalf of everyone here, we want to apologise. Your support means everything "
        "to our members,” the chairwoman said."
    )
    assert remove_boilerplate(f"Headline\n{block}") == f"Headline\n{block}"


def test_glued_appeal_is_cut_from_the_story_sentence() -> None:
    text = "Title\nYour donation helps us report.Rain fell on the capital for a third day."
    assert clean_text(text) == "Title\nRain fell on the capital for a third day."


def test_teaser_to_another_story_goes_with_its_headline() -> None:
    text = (
        "Title\nThe minister resigned on Friday after a week of protests.\n"
        "Protesters fill the streets again — what we know\n"
        "Thousands of people marched through the capital on Saturday, and the police said "
        "that the crowd was larger than the week bef…\n"
    )
    assert clean_text(text) == "Title\nThe minister resigned on Friday after a week of protests."


def test_short_fragments_between_appeals_go_but_headings_stay() -> None:
    text = (
        "Title\nThe story itself is here.\n"
        "Help fund our mission and become a member today.\n"
        "Ten years. Two million readers.\n"
        "We rely on readers like you to keep our reporting free.\n"
        "A longer section heading between two appeals\n"
        "Your support keeps our journalism free for everyone."
    )
    assert (
        clean_text(text)
        == "Title\nThe story itself is here.\nA longer section heading between two appeals"
    )


def test_mojibake_is_repaired() -> None:
    assert fix_text("Itâ€™s â€œfineâ€\x9d, said Josรฉ.").startswith("It’s “fine”")
    assert fix_text("the ācomprehensive strategic partnershipā treaty") == (
        "the “comprehensive strategic partnership” treaty"
    )
    assert fix_text("line one\r\nline two\rthree") == "line one\nline two\nthree"


# --- the seed articles -----------------------------------------------------------------------


def test_seeds_keep_every_story_sentence(seeds: dict[str, str]) -> None:
    """Every sentence with a quote mark or an attribution verb in the raw seed survives."""
    for prefix, text in seeds.items():
        for line in _raw(prefix).split("\n"):
            if line.endswith("…"):  # a teaser for another story
                continue
            for sentence in re.split(
                r"(?<=[.!?])\s+|(?<=[.!?][”\"])\s+|(?<=[a-z]\.)(?=[A-Z])", line
            ):
                if re.search(r"[“”\"]|\b(said|told|says)\b", sentence):
                    assert sentence.strip() in text, (prefix, sentence)


def test_seeds_lose_their_appeals_and_chrome(seeds: dict[str, str]) -> None:
    everything = "\n".join(seeds.values())
    for pattern in [
        r"(?i)\byour (support|donation)\b",
        r"(?i)\bmembers?hip\b",
        r"(?i)\bsubscribe",
        r"(?i)indicates required",
        r"(?i)confirmation email",
        r"(?i)\bsupporters\.",
        r"(?i)commenting",
        r"(?i)\bmin read\b",
        r"(?i)getty images",
        r"(?i)\bjoin\b.*\bconversations\b",
        r"…$",  # the teaser cut mid-sentence
    ]:
        assert not re.search(pattern, everything, re.M), pattern
    assert seeds["001"].endswith("Soviet Union in 1961.")
    assert seeds["003"].endswith("said Mr Nebenzia.")
    assert seeds["000"].startswith(
        "Russian lawmakers ratify pact with North Korea as US confirms that Pyongyang sent "
        "troops to Russia\n"
    )


def test_seed_titles_come_from_the_first_line() -> None:
    titles = {Path(a.source_path).name[:3]: a.title for a in read_paths([EXAMPLES])}
    assert (
        titles["001"]
        == "Putin submits treaty on strategic partnership with North Korea to parliament"
    )
    assert titles["003"] == (
        "North Korea benefiting from troops fighting alongside Russia against Ukraine, US says"
    )
