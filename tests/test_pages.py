"""Speaker pages over the facade: aliases merged, articles by date, repeats grouped, timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.pages import published_day, speaker_page, words_of
from store.errors import InputError, NotFoundError

FAIR_GAME = "North Korean troops who enter Ukraine will be treated as fair game on the battlefield,"


class Spy:
    """The real Bot, recording which facade methods a page calls."""

    def __init__(self, bot: Any) -> None:
        self.bot, self.calls = bot, []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.bot, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return method(*args, **kwargs)

        return call


def test_page_merges_aliases_and_orders_articles_by_date(speaker_bot: Any) -> None:
    page = speaker_page(speaker_bot, "Ms Shea")
    assert page.speaker == "Dorothy Shea" and {"Ms Shea", "Shea"} <= set(page.aliases)
    assert len(page.hits) == 9 and not page.truncated
    assert [(a.publisher, a.day) for a in page.articles] == [
        ("Reuters", date(2024, 10, 1)),
        ("Associated Press", date(2024, 10, 15)),
        ("The Guardian", date(2024, 11, 2)),
        ("Wire", None),  # undated articles come last
    ]
    reuters = page.articles[0]
    assert [q.hit.quote for q in reuters.quotes] == [
        FAIR_GAME,
        "that Washington was consulting its allies",
        "We will not stay silent while Pyongyang arms Moscow,",
    ]
    for group in page.articles:
        text = speaker_bot.document(group.doc_id)["text"]
        assert all(text[q.hit.start : q.hit.end] == q.hit.quote for q in group.quotes)
    for name in ("shea", "Dorothy Shea", "US deputy ambassador Dorothy Shea"):
        assert [h.id for h in speaker_page(speaker_bot, name).hits] == [h.id for h in page.hits]


def test_repeats_are_grouped_where_the_words_first_appeared(speaker_bot: Any) -> None:
    page = speaker_page(speaker_bot, "Shea")
    first = page.articles[0].quotes[0]
    assert first.hit.publisher == "Reuters" and first.hit.quote == FAIR_GAME
    ap, guardian = page.articles[1], page.articles[2]
    assert first.also_in == sorted([ap.doc_id, guardian.doc_id])
    assert {h.speaker_mention for h in first.repeats} == {
        "Ms Shea",
        "US deputy ambassador Dorothy Shea",
    }
    assert [h.quote for h in ap.repeated] == [FAIR_GAME] and FAIR_GAME not in {
        q.hit.quote for q in ap.quotes
    }
    assert page.to_dict()["distinct_quotes"] == 7 and page.to_dict()["quotes"] == 9
    # Words are compared blind to case, accents and punctuation.
    assert words_of("“Fair GAME,” she said — déjà.") == ("fair", "game", "she", "said", "deja")


def test_timeline_counts_quotes_per_day_or_month(speaker_bot: Any) -> None:
    page = speaker_page(speaker_bot, "Shea")
    assert (
        page.timeline()
        == page.timeline("day")
        == [
            {"date": "2024-10-01", "quotes": 3},
            {"date": "2024-10-15", "quotes": 3},
            {"date": "2024-11-02", "quotes": 2},
        ]
    )
    assert page.timeline("month") == [
        {"date": "2024-10", "quotes": 6},
        {"date": "2024-11", "quotes": 2},
    ]
    assert page.undated == 1 and page.to_dict()["undated"] == 1
    with pytest.raises(InputError, match="timeline by must be day, month or auto"):
        page.timeline("week")


def test_page_reads_only_the_speakers_quotes_through_the_facade(speaker_bot: Any) -> None:
    spy = Spy(speaker_bot)
    page = speaker_page(spy, "Ms Shea", limit=2)
    assert [c[0] for c in spy.calls] == ["find_speakers", "quotes"]
    assert spy.calls[1][2] == {"speaker": "Dorothy Shea", "limit": 2}
    assert len(page.hits) == 2 and page.truncated


def test_a_role_the_facade_resolves_still_finds_the_speaker(speaker_bot: Any) -> None:
    assert speaker_page(speaker_bot, "Russia's envoy").speaker == "Vassily Nebenzia"


def test_unknown_or_empty_names_are_clear_errors(speaker_bot: Any) -> None:
    with pytest.raises(NotFoundError, match="No speaker called 'Angela Merkel' is quoted"):
        speaker_page(speaker_bot, "Angela Merkel")
    with pytest.raises(InputError, match="Type a speaker's name"):
        speaker_page(speaker_bot, "  ")
    with pytest.raises(InputError, match="limit must be between 1 and 1000, not 0"):
        speaker_page(speaker_bot, "Shea", limit=0)


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("2024-10-01", date(2024, 10, 1)),
        ("2024-11-02T09:30:00Z", date(2024, 11, 2)),
        ("", None),
        ("Oct 1, 2024", None),
        ("2024-13-45", None),
    ],
)
def test_published_day(published: str, day: date | None) -> None:
    assert published_day(published) == day
