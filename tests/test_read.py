"""Reading files into Articles: formats, metadata, titles, stable ids, directory walks."""

from __future__ import annotations

import json
from pathlib import Path

from store.read import Problem, count_articles, decode, doc_id_for, read_paths
from store.types import Article

STORY = "Mayor Ann Lee said on Monday that the bridge would reopen in May."


def _articles(*paths: Path) -> list[Article]:
    return [a for a in read_paths(paths) if isinstance(a, Article)]


def test_txt_title_from_first_line_and_stable_id(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"Bridge to reopen\r\n{STORY}\r\n", encoding="utf-8")
    (article,) = _articles(path)
    assert article.title == "Bridge to reopen"
    assert article.text == f"Bridge to reopen\n{STORY}"
    assert article.doc_id == doc_id_for(article.text) == _articles(path)[0].doc_id
    assert article.source_path == str(path.resolve())


def test_markdown_loses_markup_keeps_words(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        f"# Bridge to reopen\n\n**Mayor** [Ann Lee](http://x.org) said the bridge would "
        f"*reopen* in May.\n\n> {STORY}\n",
        encoding="utf-8",
    )
    (article,) = _articles(path)
    assert article.title == "Bridge to reopen"
    assert "Mayor Ann Lee said the bridge would reopen in May." in article.text
    assert "http" not in article.text and "*" not in article.text


def test_html_article_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text(
        "<html><head><title>Bridge to reopen | Gazette</title>"
        '<meta property="og:site_name" content="Gazette">'
        '<meta name="date" content="2024-10-14"></head><body><nav>Home | News | Sport</nav>'
        f"<article><h1>Bridge to reopen</h1><p>{STORY}</p><p>“It is safe,” Lee told "
        "reporters at the river on Monday afternoon.</p></article>"
        "<footer>© Gazette. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    (article,) = _articles(path)
    assert STORY in article.text and "“It is safe,” Lee told reporters" in article.text
    assert "Home | News" not in article.text and "rights reserved" not in article.text
    assert article.title.startswith("Bridge to reopen")
    assert article.published == "2024-10-14"


def test_jsonl_metadata_and_line_paths(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    rows = [
        {
            "text": STORY,
            "title": "Bridge",
            "url": "http://x.org/1",
            "publisher": "Gazette",
            "published": "2024-10-14",
        },
        {"text": "Officials said the tunnel would close.\nMore text here."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    first, second = _articles(path)
    assert (first.title, first.url, first.publisher, first.published) == (
        "Bridge",
        "http://x.org/1",
        "Gazette",
        "2024-10-14",
    )
    assert first.source_path == f"{path.resolve()}:1"
    assert second.title == "Officials said the tunnel would close."
    assert second.source_path.endswith("feed.jsonl:2")


def test_directories_recursive_sorted_hidden_and_foreign_skipped(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "c" / "z.txt").write_text(f"Z\n{STORY}", encoding="utf-8")
    (tmp_path / "a.txt").write_text(f"A\n{STORY}", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(f"H\n{STORY}", encoding="utf-8")
    (tmp_path / ".git" / "x.txt").write_text(f"G\n{STORY}", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00")
    assert [a.title for a in _articles(tmp_path)] == ["A", "Z"]


def test_utf16_with_bom_is_text() -> None:
    text, warning = decode(f"Title\n{STORY}".encode("utf-16"), "x.txt")
    assert text == f"Title\n{STORY}" and warning is None


def test_only_boilerplate_is_a_named_problem(tmp_path: Path) -> None:
    path = tmp_path / "appeal.txt"
    path.write_text("Subscribe to our newsletter. Your support keeps us going.\n", encoding="utf-8")
    (problem,) = list(read_paths([path]))
    assert isinstance(problem, Problem)
    assert problem.to_dict() == {
        "path": str(path.resolve()),
        "error": "no article text is left after cleaning (empty or only boilerplate)",
    }


def test_count_articles_for_the_progress_bar(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One article.", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\n', encoding="utf-8")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    assert count_articles([tmp_path, tmp_path / "missing.txt"]) == 3
    assert count_articles([tmp_path]) == sum(
        not isinstance(x, Problem) for x in read_paths([tmp_path])
    )


def test_front_matter_is_metadata_not_text(tmp_path: Path) -> None:
    md = tmp_path / "bridge.md"
    md.write_text(
        '---\ntitle: "Bridge to reopen"\nurl: https://gazette.example/bridge\n'
        "publisher: Riverton Gazette\ndate: 2024-10-14\ntags:\n  - local\n---\n"
        f"# Bridge to reopen\n\n{STORY}\n",
        encoding="utf-8",
    )
    txt = tmp_path / "tunnel.txt"
    txt.write_text(
        f'+++\ntitle = "Tunnel"\npublished = "2024-10-15"\n+++\nTunnel news\n{STORY}\n',
        encoding="utf-8",
    )
    bridge, tunnel = _articles(md, txt)
    assert (bridge.title, bridge.url, bridge.publisher, bridge.published) == (
        "Bridge to reopen",
        "https://gazette.example/bridge",
        "Riverton Gazette",
        "2024-10-14",
    )
    assert bridge.text == f"Bridge to reopen\n{STORY}"  # no front matter in the text
    assert (tunnel.title, tunnel.published, tunnel.publisher) == ("Tunnel", "2024-10-15", "")
    assert tunnel.text == f"Tunnel news\n{STORY}"


def test_a_rule_above_prose_is_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(f"---\nBridge to reopen, officials say\n---\n{STORY}\n", encoding="utf-8")
    (article,) = _articles(path)
    assert article.title == "Bridge to reopen, officials say" and not article.published


def test_metadata_is_part_of_the_id_so_a_correction_is_picked_up(tmp_path: Path) -> None:
    """Same text, no metadata: one id (as before); a corrected date: a new id."""
    path = tmp_path / "a.txt"
    path.write_text(f"Bridge\n{STORY}", encoding="utf-8")
    (plain,) = _articles(path)
    assert plain.doc_id == doc_id_for(plain.text)
    path.write_text(f"---\npublished: 2024-10-14\n---\nBridge\n{STORY}", encoding="utf-8")
    (dated,) = _articles(path)
    path.write_text(f"---\npublished: 2024-10-15\n---\nBridge\n{STORY}", encoding="utf-8")
    (corrected,) = _articles(path)
    assert dated.text == corrected.text == plain.text
    assert len({plain.doc_id, dated.doc_id, corrected.doc_id}) == 3
