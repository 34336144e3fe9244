"""Every page's `<head>`: title, description, canonical, robots, Open Graph, Twitter, JSON-LD.

`head_html` builds the tags from plain facts, escaping every value for an attribute or
text; `replace_head` swaps them into a rendered page in place of the theme's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from ..content.languages import territory_locale


def og_locale(lang: str) -> str:
    """Open Graph wants a locale with a territory: zh -> zh_CN, en -> en_US (Babel's CLDR)."""
    return territory_locale(lang)


@dataclass(frozen=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None
    alt: str | None = None


@dataclass(frozen=True)
class HeadFacts:
    title: str  # the full <title>, template applied
    og_title: str  # the page's own title, for social networks
    description: str
    canonical: str
    site_name: str
    lang: str
    og_type: str = "website"  # "article" for articles and case studies
    noindex: bool = False
    image: Image | None = None
    published: datetime | None = None
    modified: datetime | None = None
    authors: Sequence[str] = ()
    tags: Sequence[str] = ()
    section: str | None = None
    twitter_site: str | None = None
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> URL
    json_ld: Sequence[str] = ()  # ready <script> elements from structured_data.script_tag


def _tag(element: str, **attrs: str | int | None) -> str:
    rendered = "".join(
        f' {key}="{escape(str(value), quote=True)}"'
        for key, value in attrs.items()
        if value is not None
    )
    return f"<{element}{rendered}>"


def _meta(key: str, value: str | int | None, attribute: str = "property") -> str | None:
    if value is None or value == "":
        return None
    return _tag("meta", **{attribute: key, "content": value})


def head_html(facts: HeadFacts) -> str:
    lines: list[str | None] = [
        f"<title>{escape(facts.title, quote=False)}</title>",
        _meta("description", facts.description, "name"),
        _tag("link", rel="canonical", href=facts.canonical),
        _meta("robots", "noindex, follow" if facts.noindex else "index, follow", "name"),
    ]
    for hreflang, url in sorted(facts.alternates.items()):
        lines.append(_tag("link", rel="alternate", hreflang=hreflang, href=url))
    lines += [
        _meta("og:type", facts.og_type),
        _meta("og:title", facts.og_title),
        _meta("og:description", facts.description),
        _meta("og:url", facts.canonical),
        _meta("og:site_name", facts.site_name),
        _meta("og:locale", og_locale(facts.lang)),
        *(
            _meta("og:locale:alternate", og_locale(hreflang))
            for hreflang in sorted(facts.alternates)
            if hreflang not in ("x-default", facts.lang)
        ),
    ]
    image = facts.image
    if image:
        lines += [
            _meta("og:image", image.url),
            _meta("og:image:width", image.width),
            _meta("og:image:height", image.height),
            _meta("og:image:alt", image.alt),
        ]
    if facts.og_type == "article":
        lines += [
            _meta("article:published_time", facts.published and facts.published.isoformat()),
            _meta("article:modified_time", facts.modified and facts.modified.isoformat()),
            _meta("article:section", facts.section),
            *(_meta("article:author", author) for author in facts.authors),
            *(_meta("article:tag", tag) for tag in facts.tags),
        ]
    lines += [
        _meta("twitter:card", "summary_large_image" if image else "summary", "name"),
        _meta("twitter:site", facts.twitter_site, "name"),
        _meta("twitter:title", facts.og_title, "name"),
        _meta("twitter:description", facts.description, "name"),
        _meta("twitter:image", image and image.url, "name"),
        _meta("twitter:image:alt", image and image.alt, "name"),
    ]
    lines += facts.json_ld
    return "\n    ".join(line for line in lines if line)


# Tags of the theme's head that Leadpress writes itself; each is one element on one line.
_REPLACED = re.compile(
    r"""<(?:
        title>.*?</title>
      | meta\s+name="(?:description|robots|twitter:[^"]*)"[^>]*>
      | meta\s+property="(?:og|article):[^"]*"[^>]*>
      | link\s+rel="canonical"[^>]*>
      | link\s+rel="alternate"\s+href="[^"]*"\s+hreflang="[^"]*"\s*/?>
      | script\s+type="application/ld\+json">.*?</script>
    )""",
    re.VERBOSE | re.DOTALL | re.IGNORECASE,
)
_HEAD = re.compile(r"<head[^>]*>(.*?)</head>", re.DOTALL | re.IGNORECASE)
_ANCHOR = re.compile(r'<meta\s+name="viewport"[^>]*>|<meta\s+charset="[^"]*"\s*/?>', re.I)


def replace_head(page_html: str, tags: str) -> str:
    """`page_html` with the theme's title, description, canonical, social and language tags
    replaced by `tags`, placed early in the head where crawlers look first."""
    match = _HEAD.search(page_html)
    if match is None:
        return page_html
    head = _without_replaced(match.group(1))
    anchors = list(_ANCHOR.finditer(head))
    # After the last of charset and viewport, before styles and scripts.
    at = anchors[-1].end() if anchors else 0
    head = f"{head[:at]}\n    {tags}{head[at:]}"
    return page_html[: match.start(1)] + head + page_html[match.end(1) :]


def _without_replaced(head: str) -> str:
    """`head` without the replaced tags and the white space before each. The tags are
    found by their `<` and the space trimmed after: a pattern that began with the space
    was tried at every character of the head (a tenth of a millisecond a page)."""
    kept = []
    end = 0
    for tag in _REPLACED.finditer(head):
        kept.append(head[end : tag.start()].rstrip())
        end = tag.end()
    kept.append(head[end:])
    return "".join(kept)
