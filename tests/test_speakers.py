"""Speaker names: canonical keys, the alias table across articles and name look-up."""

from __future__ import annotations

from store.speakers import (
    build_alias_table,
    canonical_key,
    fullest_names,
    given_names_agree,
    match_speaker,
    strip_titles,
    surname_matches,
)


def test_canonical_key_strips_titles_case_and_diacritics() -> None:
    assert canonical_key("Mr. Putin") == "putin"
    assert canonical_key("Russian President Vladimir Putin") == "vladimir putin"
    assert canonical_key("Président Emmanuel Macrón") == "emmanuel macron"
    assert canonical_key("Ms Shea") == "shea"


def test_strip_titles_keeps_descriptions_and_countries() -> None:
    assert strip_titles("deputy US ambassador Dorothy Camille Shea") == "Dorothy Camille Shea"
    assert strip_titles("The U.S.") == "U.S."
    assert strip_titles("a US official") == "US official"


def test_alias_table_merges_forms_of_one_person() -> None:
    names = [
        "Putin",
        "Vladimir Putin",
        "Russian President Vladimir Putin",
        "Mr. Putin",
        "Zelensky",
        "President Volodymyr Zelensky",
    ]
    table = build_alias_table(names)
    assert {table[n] for n in names[:4]} == {"Vladimir Putin"}
    assert table["Zelensky"] == "Volodymyr Zelensky"


def test_alias_table_ignores_pronouns() -> None:
    assert build_alias_table(["he", "She", "Vassily Nebenzia"]) == {
        "Vassily Nebenzia": "Vassily Nebenzia"
    }


def test_match_speaker() -> None:
    table = build_alias_table(["Vassily Nebenzia", "Mr Nebenzia", "Kim Jong Un", "Kim Song"])
    assert match_speaker("Nebenzia", table) == ["Vassily Nebenzia"]
    assert match_speaker("mr. nebenzia", table) == ["Vassily Nebenzia"]
    assert set(match_speaker("Kim", table)) == {"Kim Jong Un", "Kim Song"}
    assert match_speaker("Angela Merkel", table) == []


def test_group_names_keep_every_person() -> None:
    assert strip_titles("Russian President Vladimir Putin and Mr Kim Jong Un") == (
        "Vladimir Putin and Kim Jong Un"
    )
    table = build_alias_table(["Vladimir Putin and Kim Jong Un", "Vladimir Putin"])
    both = {"Vladimir Putin", "Vladimir Putin and Kim Jong Un"}
    assert set(match_speaker("Putin", table)) == both


def test_organisation_names_keep_their_title_words() -> None:
    assert strip_titles("The State Department") == "State Department"
    assert strip_titles("Russia's Foreign Ministry") == "Russia's Foreign Ministry"
    assert canonical_key("the Justice Department") == "justice department"
    assert strip_titles("Secretary of State John Kerry") == "John Kerry"


def test_given_names_agree_with_nicknames_and_prefixes() -> None:
    assert given_names_agree("Bill", "William")
    assert given_names_agree("Mo", "Morris")
    assert given_names_agree("Chris", "Christopher")
    assert not given_names_agree("Jeb", "George")


def test_surname_matches_a_typed_name_to_the_stored_one() -> None:
    keys = ["william a ackman", "jacob j lew", "morris j brooks", "brooks", "estrada",
            "george w bush", "bush"]  # fmt: skip
    assert surname_matches(["bill", "ackman"], keys) == {"william a ackman"}
    assert surname_matches(["jack", "lew"], keys) == {"jacob j lew"}  # the only Lew
    typed = ["representative", "mo", "brooks"]
    assert surname_matches(typed, keys) == {"morris j brooks", "brooks"}
    assert surname_matches(["will", "estrada"], keys) == {"estrada"}
    assert surname_matches(["jeb", "bush"], keys) == set()  # another Bush's quotes are not Jeb's
    assert surname_matches(["ackman"], keys) == set()


def test_a_name_in_an_article_is_never_shown_as_a_description_holding_it() -> None:
    """ "the Sanders camp has identified …" and "…," Sanders said: the camp is not Sanders."""
    assert fullest_names(["Sanders", "Sanders camp"])["Sanders"] == "Sanders"
    assert fullest_names(["Sanders", "Sanders camp", "Bernie Sanders"])["Sanders"] == (
        "Bernie Sanders"
    )
    assert fullest_names(["company", "social media company"])["company"] == "social media company"
