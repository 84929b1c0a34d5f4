"""Golden files: loading, validation sentences, and who-said questions from brat annotations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import GOLDEN, ROOT

from bot.eval.brat import golden_from_brat
from bot.eval.golden import load_golden, norm_text
from store.errors import InputError

pytestmark = pytest.mark.filterwarnings("error")

BRAT = GOLDEN / "brat"
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"


def test_load_tiny() -> None:
    items = load_golden(GOLDEN / "tiny.jsonl")
    assert [i.id for i in items] == [
        "right",
        "wrong-speaker",
        "wrong-source",
        "abstain-right",
        "abstain-wrong",
        "invented-answered",
    ]
    first = items[0]
    assert first.speakers == ["Vassily Nebenzia"] and first.source == "003_23247444e4f9a990.txt"
    assert first.answerable and first.kind == "direct" and first.group == "direct"
    assert not items[3].answerable and items[3].speakers == [] and items[3].group == "unanswerable"
    assert items[5].note == "the bot must not answer this"


def test_lead_seed_file_loads() -> None:
    items = load_golden(GOLDEN / "seeds.jsonl")
    assert len(items) >= 25 and any(not i.answerable for i in items)


GOOD = '{"id": "a", "question": "Who said x?", "speakers": ["X"], "quote": "x", "source": "f.txt"}'


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([GOOD, "{nope"], r"g\.jsonl:2: not valid JSON \(Expecting property name"),
        (['["a"]'], r"g\.jsonl:1: each line must be a JSON object, not list\."),
        (
            ['{"id": "a", "question": "Who?", "quote": "x", "source": "f"}'],
            r'g\.jsonl:1: "speakers" needs at least one accepted name when "answerable" is true\.',
        ),
        (
            ['{"id": "a", "question": "Who?", "speakers": ["X"], "source": "f"}'],
            r'g\.jsonl:1: "quote" is required and must not be empty\.',
        ),
        (
            ['{"id": "a", "question": " ", "answerable": false}'],
            r'g\.jsonl:1: "question" is required',
        ),
        (
            ['{"id": "a", "question": "Who?", "answerable": "no"}'],
            r'g\.jsonl:1: "answerable" must be true or false\.',
        ),
        (
            ['{"id": "a", "question": "Who?", "answerable": false, "speaker": "X"}'],
            r"g\.jsonl:1: unknown field\(s\) speaker; allowed: answerable, gold, id, kind",
        ),
        (
            ['{"id": "a", "question": "Who?", "speakers": [1], "quote": "x", "source": "f"}'],
            r'"speakers" must be a list of names',
        ),
        ([GOOD, "", GOOD], r"g\.jsonl:3: the id 'a' is already used on line 1"),
        (["", "  "], r"g\.jsonl: the golden file has no questions"),
    ],
)
def test_bad_lines_say_file_line_and_reason(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_golden(path)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.jsonl: the golden file does not exist\."):
        load_golden(tmp_path / "missing.jsonl")
    (tmp_path / "latin1.jsonl").write_bytes('{"id": "é"}'.encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.jsonl: the golden file is not UTF-8 text"):
        load_golden(tmp_path / "latin1.jsonl")


def test_ids_may_be_numbers_and_comments_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text('// a comment\n{"id": 7, "question": "Who?", "answerable": false}\n', "utf-8")
    assert load_golden(path)[0].id == "7"


def test_from_brat_hand_made(tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    items = golden_from_brat(BRAT, out)
    # Kept: the named speaker's direct quote. Skipped: "he", "Officials", "Acme Corp" (no
    # person), a four-word quote, reported speech without quote marks, a source-less relation.
    assert items[0] == {
        "id": "bill_vote#E2",
        "question": 'Who said "We have the votes and we will pass this bill before the"?',
        "speakers": ["Doe", "Jane Doe"],
        "quote": "We have the votes and we will pass this bill before the",
        "source": "bill_vote.txt",
        "kind": "direct",
    }
    assert len(items) == 2
    assert items[1]["answerable"] is False and items[1]["kind"] == "unanswerable"
    assert items[1]["question"].startswith('Who said "')
    loaded = load_golden(out)  # what from-brat writes, eval reads
    assert [i.id for i in loaded] == ["bill_vote#E2", "invented-01"]


def test_from_brat_limit(tmp_path: Path) -> None:
    assert [i["id"] for i in golden_from_brat(BRAT, None, limit=1)] == ["bill_vote#E2"]
    with pytest.raises(InputError, match="--limit must be at least 1"):
        golden_from_brat(BRAT, None, limit=0)


def test_from_brat_bad_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory of brat annotations"):
        golden_from_brat(tmp_path / "nope")
    (tmp_path / "a.ann").write_text("T1\tSource 0 3\tDoe\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no \.ann file with a matching \.txt"):
        golden_from_brat(tmp_path)
    (tmp_path / "a.txt").write_text("Doe said hi.", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tSource zero 3\tDoe\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.ann:1: not a brat standoff line"):
        golden_from_brat(tmp_path)


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="shared/data/polnear is not beside the repo")
def test_from_brat_on_real_polnear_articles(tmp_path: Path) -> None:
    names = [
        "breitbart_2016-09-15_pat-caddell-democrat-voters-worr",
        "politico_2016-09-08_flynn-says-trump-absolutely-righ",
    ]
    for sub in ("attributions", "text"):
        (tmp_path / sub).mkdir()
    for name in names:
        shutil.copy(POLNEAR_DEV / "text" / f"{name}.txt", tmp_path / "text")
        for ann in (POLNEAR_DEV / "attributions").glob(f"{name}_*.ann"):
            shutil.copy(ann, tmp_path / "attributions")
    items = golden_from_brat(tmp_path)
    by_id = {i["id"]: i for i in items}
    caddell = by_id["breitbart_2016-09-15_pat-caddell-democrat-voters-worr#E3"]
    assert caddell["speakers"] == ["Caddell", "Pat Caddell"]
    assert caddell["quote"] == "One of the things I am surprised about is apparently how much"
    answerable = [i for i in items if i.get("answerable", True)]
    assert len(answerable) >= 5 and {i["source"] for i in answerable} == {f"{n}.txt" for n in names}
    texts = {n: norm_text((tmp_path / "text" / f"{n}.txt").read_text("utf-8")) for n in names}
    for item in answerable:
        assert norm_text(item["quote"]) in texts[item["source"][:-4]]  # verbatim from its article
        assert len(item["quote"].split()) <= 12
        assert item["speakers"][0].lower() not in {"he", "she", "they", "officials"}
