"""Write the synthetic half of tests/golden/html/: PolNeAR articles in realistic page furniture.

Each page holds one PolNeAR article (its text is the ground truth, minus the headline line)
inside one of six page layouts and a seeded mix of furniture: navigation, breadcrumbs, cookie
banners, share bars, bylines, captions with credits, ad slots, pull quotes that repeat a
sentence, "Read more:" interstitials, related-story cards (other PolNeAR headlines and their
first sentences, quotes included), newsletter and paywall boxes, tags, author bios, comments
and footers. Deterministic: ``--check`` verifies the committed pages.

    python bench/make_html_set.py            # (re)write the pages from /work/shared/data/polnear
    python bench/make_html_set.py --check
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
OUT = ROOT / "tests" / "golden" / "html"
SEED = 16
PER_PUBLISHER = {"train": 2, "dev": 2}
# Articles whose own text carries corpus artefacts (markup, "ABSTRACT.", live-blog clocks…).
_ARTEFACTS = re.compile(
    r"<|\{|___|ABSTRACT|FULL TEXT|Getty|Like the page|Follow .* on Twitter|Twitter: @|"
    r"CORRECTION|^\d+:\d+ [ap]\.m\.|LETTERS|FACEBOOK|TWITTER|Partial transcript|"
    r"International New York Times|^X\.$|Read the rest",
    re.M,
)
SITES = {
    "breitbart": "Breitbart",
    "huff-post": "HuffPost",
    "nyt": "The New York Times",
    "politico": "Politico",
    "usa-today": "USA Today",
    "wash-post": "The Washington Post",
    "west-journal": "Western Journal",
}
NAV = [
    "Home",
    "Politics",
    "Election 2016",
    "World",
    "Business",
    "Opinion",
    "Tech",
    "Sports",
    "Entertainment",
    "Video",
    "Podcasts",
    "Newsletters",
]
CAPTIONS = [
    "Republican presidential nominee Donald Trump speaks at a rally in Ohio.",
    "Democratic presidential nominee Hillary Clinton waves to supporters after a campaign event.",
    "Voters wait in line at a polling station in Virginia.",
    "Supporters hold signs during a town hall meeting in New Hampshire.",
    "The candidates on stage before the second presidential debate in St. Louis.",
]
CREDITS = [
    "(Photo: Justin Sullivan/Getty Images)",
    "(AP Photo/Evan Vucci)",
    "Credit: Reuters/Carlos Barria",
    "(Photo by Mark Wilson/Getty Images)",
]
COMMENTS = [
    "This is exactly what I have been saying for months. Nobody in Washington listens.",
    "Trump said he would release his taxes. Still waiting.",
    "Great reporting, thank you. More of this please.",
    "“We are better than this,” my father used to say. He would be ashamed of both parties.",
    "I don't trust any poll after the primaries. Get out and vote, people.",
    "Clinton told the FBI she could not recall. How convenient.",
    "Another hit piece. Cancel my subscription.",
]
NEWSLETTERS = [
    "Sign up for our Politics newsletter. Get the day's top stories delivered to your inbox "
    "every morning. Enter your email address Subscribe",
    "Get the best of our election coverage. Sign up for the Daily 202 newsletter. "
    "You're all set! Please check your inbox for a confirmation email.",
    "Want more stories like this? Subscribe to our free newsletter and never miss a story.",
]
PAYWALLS = [
    "You have read 4 of 5 free articles this month. Subscribe now for unlimited access.",
    "Support independent journalism. Become a member today for just $1 a week.",
]
COOKIES = (
    "We use cookies and other tracking technologies to improve your browsing experience "
    "on our site. By continuing to use this site you agree to our use of cookies. "
    "Accept Manage settings"
)
SHARE = ["Share on Facebook", "Share on Twitter", "Email", "Print", "Save", "Comment"]
TAGS = ["2016 Election", "Donald Trump", "Hillary Clinton", "Congress", "Polls", "Campaigns"]
FOOTER = [
    "About Us",
    "Contact",
    "Careers",
    "Advertise",
    "Privacy Policy",
    "Terms of Service",
    "Cookie Settings",
    "Site Map",
    "RSS",
]
LAYOUTS = ["semantic", "divsoup", "brs", "spans", "companion", "modern"]


def articles() -> list[dict[str, str]]:
    """A seeded pick of clean articles, two per publisher and split where there are two."""
    rows = list(csv.DictReader((POLNEAR / "metadata.tsv").open(encoding="utf-8"), delimiter="\t"))
    rng = random.Random(SEED)
    picked = []
    for split, n in PER_PUBLISHER.items():
        for publisher in SITES:
            pool = []
            for row in rows:
                if (row["compartment"], row["publisher"]) != (split, publisher):
                    continue
                text = (POLNEAR / split / "text" / f"{row['filename']}.txt").read_text("utf-8")
                if 1800 <= len(text) <= 7000 and not _ARTEFACTS.search(text):
                    pool.append({**row, "text": text})
            picked += rng.sample(pool, min(n, len(pool)))
    return picked


def body_paragraphs(text: str) -> list[str]:
    """The article's paragraphs without its headline line (the page shows it in <h1>)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[1:]


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _inline(rng: random.Random, text: str) -> str:
    """Escape a paragraph and put some of its names in links or emphasis, as CMSes do."""
    out = _esc(text)
    names = re.findall(r"\b(?:Donald Trump|Hillary Clinton|Trump|Clinton|Congress|FBI)\b", out)
    if names and rng.random() < 0.4:
        name = rng.choice(names)
        tag = rng.choice(['a href="/tag/{slug}"', "em", "strong"])
        slug = name.lower().replace(" ", "-")
        open_tag = tag.format(slug=slug)
        out = out.replace(name, f"<{open_tag}>{name}</{tag.split()[0]}>", 1)
    return out


def _wrap(text: str, width: int = 72) -> str:
    """Hard-wrap source lines, as hand-edited CMS markup often is (browsers collapse it)."""
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])


class Page:
    """One synthetic page: an article in a layout, with seeded furniture around and inside."""

    def __init__(self, article: dict[str, str], others: list[dict[str, str]], n: int) -> None:
        self.a, self.n = article, n
        self.rng = random.Random(f"{SEED}-{article['filename']}")
        self.layout = LAYOUTS[n % len(LAYOUTS)]
        self.site = SITES[article["publisher"]]
        self.paras = body_paragraphs(article["text"])
        self.others = self.rng.sample(others, 6)
        slug = article["filename"].split("_", 2)[-1]
        self.url = (
            f"https://{article['publisher']}.news.example/{article['publication_date']}/{slug}"
        )

    # --- furniture -------------------------------------------------------------------------

    def nav(self) -> str:
        items = "".join(f'<li><a href="/{w.lower().replace(" ", "-")}">{w}</a></li>' for w in NAV)
        return f'<nav class="site-nav"><ul>{items}</ul></nav>'

    def header(self) -> str:
        banner = ""
        if self.rng.random() < 0.5:
            banner = f'<div class="cookie-banner" role="dialog"><p>{COOKIES}</p></div>'
        search = '<form class="search"><input name="q" placeholder="Search"></form>'
        return (
            f'{banner}<header class="masthead"><a class="logo" href="/">{_esc(self.site)}</a>'
            f"{search}{self.nav()}</header>"
        )

    def breadcrumbs(self) -> str:
        return (
            '<ol class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/politics">'
            'Politics</a></li><li><a href="/election">Election 2016</a></li></ol>'
        )

    def byline(self) -> str:
        author = re.sub(r"(?i)^by\s+", "", self.a["author"]) or f"{self.site} Staff"
        date = self.a["publication_date"]
        listen = '<div class="audio">Listen to this article 4 min</div>' * (self.rng.random() < 0.3)
        return (
            f'<div class="byline">By <a rel="author" href="/by/x">{_esc(author)}</a> '
            f'<time datetime="{date}T09:30:00Z">{date}</time> · Updated 5:32 p.m. ET</div>'
            f"{listen}"
        )

    def share(self) -> str:
        links = "".join(f'<li><a href="#share">{s}</a></li>' for s in SHARE)
        return f'<div class="share-bar"><span>Share this article</span><ul>{links}</ul></div>'

    def figure(self) -> str:
        caption, credit = self.rng.choice(CAPTIONS), self.rng.choice(CREDITS)
        return (
            f'<figure class="lead-image"><img src="/img/{self.n}.jpg" alt="">'
            f'<figcaption>{caption} <span class="credit">{credit}</span></figcaption></figure>'
        )

    def ad(self) -> str:
        label = self.rng.choice(["Advertisement", "Story continues below advertisement", "AD"])
        return f'<div class="ad-slot" data-ad="mid"><span>{label}</span></div>'

    def pullquote(self) -> str:
        quoted = [p for p in self.paras if "“" in p or '"' in p] or self.paras
        sentence = re.split(r"(?<=[.!?”\"])\s+", self.rng.choice(quoted))[0]
        return f'<aside class="pullquote"><blockquote><p>{_esc(sentence)}</p></blockquote></aside>'

    def read_more(self) -> str:
        other = self.others[0]
        label = self.rng.choice(["Read more:", "RELATED:", "See also:"])
        return f'<p><strong>{label}</strong> <a href="/story/1">{_esc(other["title"])}</a></p>'

    def newsletter(self) -> str:
        text = self.rng.choice(NEWSLETTERS)
        return f'<aside class="newsletter-signup"><form><p>{text}</p></form></aside>'

    def related(self, heading: str = "Related Stories") -> str:
        cards = []
        for other in self.others[1:5]:
            teaser = body_paragraphs(other["text"])[0]
            teaser = teaser if len(teaser) < 220 else teaser[:200].rsplit(" ", 1)[0] + "…"
            cards.append(
                f'<li class="card"><a href="/story/{len(cards)}"><h3>{_esc(other["title"])}</h3>'
                f"</a><p>{_esc(teaser)}</p></li>"
            )
        return f'<section class="related"><h2>{heading}</h2><ul>{"".join(cards)}</ul></section>'

    def popular(self) -> str:
        items = "".join(
            f'<li><a href="/p/{i}">{_esc(o["title"])}</a></li>' for i, o in enumerate(self.others)
        )
        return f'<aside class="sidebar"><h2>Most Popular</h2><ol>{items}</ol></aside>'

    def tags(self) -> str:
        links = ", ".join(f'<a href="/tag/{t}">{t}</a>' for t in self.rng.sample(TAGS, 3))
        return f'<div class="tags">Filed under: {links}</div>'

    def bio(self) -> str:
        author = self.a["author"] or "Staff writer"
        handle = re.sub(r"\W", "", author)[:12]
        return (
            f'<div class="author-bio"><p>{_esc(author)} covers national politics for '
            f"{_esc(self.site)}. Follow on Twitter @{handle}.</p></div>"
        )

    def comments(self) -> str:
        picked = self.rng.sample(COMMENTS, 3)
        items = "".join(
            f'<li class="comment"><div class="comment-author">reader{self.rng.randint(10, 999)}'
            f'</div><div class="comment-date">{self.rng.randint(1, 23)} hours ago</div>'
            f'<div class="comment-body"><p>{_esc(c)}</p></div><a href="#reply">Reply</a></li>'
            for c in picked
        )
        return (
            f'<section id="comments" class="comments"><h2>{len(picked)} Comments</h2>'
            f'<ol class="comment-list">{items}</ol></section>'
        )

    def footer(self) -> str:
        links = " | ".join(f'<a href="/{w.lower()}">{w}</a>' for w in FOOTER)
        return (
            f'<footer class="site-footer"><p>{links}</p><p>© 2016 {_esc(self.site)}. '
            "All rights reserved.</p></footer>"
        )

    # --- the article body in each layout ---------------------------------------------------

    def inserts(self) -> dict[int, str]:
        """Furniture placed between paragraphs, by the paragraph index it follows."""
        n, out = len(self.paras), {}
        slots = [self.ad, self.read_more, self.pullquote, self.newsletter, self.figure]
        for make in self.rng.sample(slots, self.rng.randint(2, 4)):
            where = self.rng.randint(1, max(1, n - 2))
            out[where] = out.get(where, "") + make()
        return out

    def body(self) -> str:
        inserts = self.inserts()
        parts = []
        for i, para in enumerate(self.paras):
            text = _inline(self.rng, para)
            if self.layout == "brs":
                parts.append(text + "<br><br>\n")
            elif self.layout == "spans":
                parts.append(
                    f'<div><span style="font-size: small;">{_wrap(text)}</span></div>\n'
                    "<div><span> </span></div>\n"
                )
            else:
                parts.append(f"<p>{text}</p>\n")
            if i in inserts:
                parts.append(inserts[i] + "\n")
        if self.layout == "companion":  # body split in columns, ads between them
            size = max(3, len(parts) // 3)
            chunks = [parts[i : i + size] for i in range(0, len(parts), size)]
            cols = [
                f'<div class="StoryBodyCompanionColumn"><div>{"".join(c)}</div></div>'
                for c in chunks
            ]
            return f'<section name="articleBody">{self.ad().join(cols)}</section>'
        return "".join(parts)

    def render(self) -> str:
        title, r = _esc(self.a["title"]), self.rng
        head = (
            f"<title>{title} | {_esc(self.site)}</title>"
            f'<meta property="og:title" content="{html.escape(self.a["title"])}">'
            f'<meta property="og:site_name" content="{_esc(self.site)}">'
            f'<meta property="article:published_time" content="{self.a["publication_date"]}">'
            f'<link rel="canonical" href="{self.url}">'
            '<script>window.dataLayer=[{"page":"article"}];</script>'
            "<style>.ad-slot{min-height:250px}</style>"
        )
        top = self.header() + (self.breadcrumbs() if r.random() < 0.6 else "")
        intro = f"<h1>{title}</h1>{self.byline()}{self.share() if r.random() < 0.7 else ''}"
        lead = self.figure() if r.random() < 0.5 else ""
        after = [self.tags(), self.share(), self.bio(), self.related(), self.comments()]
        after = [x for x in after if r.random() < 0.75]
        end = self.rng.choice(PAYWALLS) if r.random() < 0.3 else ""
        body = self.body()
        if self.layout == "semantic":
            main = (
                f'<main><article class="story"><header>{intro}</header>{lead}'
                f'<div class="article-body">{body}</div>{"".join(after)}</article>'
                f"{self.popular()}</main>"
            )
        elif self.layout == "divsoup":
            main = (
                f'<div id="wrapper"><div class="col-8"><div class="headline">{intro}</div>'
                f'{lead}<div id="story-body" class="story-text">{body}</div>'
                f'{"".join(after)}</div><div class="col-4">{self.popular()}</div></div>'
            )
        elif self.layout == "brs":
            main = (
                f'<div class="post"><h1 class="post-title">{title}</h1>{self.byline()}'
                f'<div class="post-body entry-content">{body}</div>'
                f'<div class="post-footer">{"".join(after)}</div></div>{self.popular()}'
            )
        elif self.layout == "spans":
            main = (
                f'<table width="100%"><tr><td valign="top">{intro}{lead}'
                f'<div class="content">{body}</div>{"".join(after)}</td>'
                f'<td width="300">{self.popular()}</td></tr></table>'
            )
        elif self.layout == "companion":
            main = (
                f'<div id="app"><main id="site-content"><article id="story">'
                f"<header>{intro}</header>{lead}{body}"
                f'<div class="bottom-of-article">{"".join(after)}</div></article></main>'
                f"{self.popular()}</div>"
            )
        else:  # modern: sections, asides, a recirculation rail inside the article
            main = (
                f'<main><article><div class="article-header">{intro}</div>{lead}'
                f'<section class="article-content">{body}</section>'
                f"{self.related('More from ' + self.site)}"
                f'<aside class="paywall">{end}</aside>{"".join(after)}</article></main>'
            )
            end = ""
        if end:
            main += f'<div class="paywall-prompt"><p>{end}</p></div>'
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">{head}</head>'
            f"<body>{top}\n{main}\n{self.footer()}</body></html>\n"
        )


def build() -> dict[str, str]:
    """File name → content for every synthetic page, truth file and the index lines."""
    picked = articles()
    files, index = {}, []
    for n, article in enumerate(picked):
        others = [a for a in picked if a is not article]
        page = Page(article, others, n)
        name = f"polnear_{article['compartment']}_{n:02d}"
        files[f"pages/{name}.html"] = page.render()
        files[f"truth/{name}.txt"] = "\n".join(page.paras) + "\n"
        index.append(
            {
                "id": name,
                "source": f"polnear-{article['compartment']}",
                "layout": page.layout,
                "polnear": article["filename"],
                "title": article["title"],
                "publisher": page.site,
                "published": article["publication_date"],
                "url": page.url,
            }
        )
    files["synthetic.jsonl"] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in index)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed pages")
    args = parser.parse_args()
    files = build()
    stale = [
        n
        for n, text in files.items()
        if not (OUT / n).exists() or (OUT / n).read_text(encoding="utf-8") != text
    ]
    if args.check:
        print(
            f"{len(files) - len(stale)}/{len(files)} files match"
            + (f"; stale: {stale}" * bool(stale))
        )
        return 1 if stale else 0
    for name in stale:
        (OUT / name).parent.mkdir(parents=True, exist_ok=True)
        (OUT / name).write_text(files[name], encoding="utf-8")
    print(f"wrote {len(stale)} of {len(files)} files under {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
