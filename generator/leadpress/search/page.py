"""What a built page gives to search, and the search box added to it.

Articles, case studies, webinars and ordinary pages are indexed by their main content only
(`data-pagefind-body`), so the header, navigation and footer never match a query. Listing
pages are left out: they repeat the titles and summaries of the pages they list and would
outrank them. Pages that search engines may not index (`noindex`) are left out as well.
"""

from __future__ import annotations

import json
import re
from html import escape

from .indexing import BUNDLE_DIR

_MAIN_CONTENT = re.compile(r'<article class="md-content__inner[^"]*"')
_NOINDEX = re.compile(r'<meta name="robots" content="[^"]*\bnoindex\b', re.IGNORECASE)
_SITE_HEADER = re.compile(r'<header class="md-header\b([^"]*)"')
_LANDING_HEADER = "lp-header"  # a landing page's header: no search, its one path is the CTA


def is_noindex(page_html: str) -> bool:
    return _NOINDEX.search(page_html) is not None


def mark_searchable(page_html: str) -> str:
    """Index the page's main content; once any page is marked, unmarked pages are skipped."""
    match = _MAIN_CONTENT.search(page_html)
    if match is None:
        return page_html
    end = match.end()
    return page_html[:end] + " data-pagefind-body" + page_html[end:]


def bundle_url(site_path: str) -> str:
    """The bundle's URL from the site's root path (`/` or `/docs/`), absolute so that the
    search script, which lives in the bundle, resolves it the same from every page."""
    root = site_path if site_path.endswith("/") else site_path + "/"
    return f"{root}{BUNDLE_DIR}/"


def add_search_box(
    page_html: str, *, site_path: str, lang: str, label: str, index_language: str | None
) -> str:
    """Add a search button to the site header and the search dialog it opens.

    Pages without the site header (landing pages, whose one path is their call to action)
    are left as they are. With one index for the whole site, queries are cut into words as
    that index's language from every page (Pagefind would otherwise segment a query by the
    page's language, and a Chinese query typed on an English page would stay one word).
    A `?q=` in the address opens the dialog with that query, as the home page's structured
    data promises search engines.
    """
    header = _SITE_HEADER.search(page_html)
    if header is None or _LANDING_HEADER in header.group(1):
        return page_html
    header_end = page_html.find("</header>", header.end())
    nav_end = page_html.rfind("</nav>", header.end(), header_end)
    if header_end < 0 or nav_end < 0:
        return page_html
    bundle = escape(bundle_url(site_path))
    root = escape(site_path if site_path.endswith("/") else site_path + "/")
    button = (
        '\n    <div class="md-header__option leadpress-search">'
        f'<pagefind-modal-trigger compact hide-shortcut placeholder="{escape(label)}">'
        "</pagefind-modal-trigger></div>\n  "
    )
    dialog = (
        f'\n<pagefind-config bundle-path="{bundle}" base-url="{root}" lang="{escape(lang)}">'
        "</pagefind-config>\n<pagefind-modal></pagefind-modal>\n"
    )
    assets = (
        f'\n    <link rel="stylesheet" href="{bundle}pagefind-component-ui.css">'
        f'\n    <script defer src="{bundle}pagefind-component-ui.js"></script>'
        f'\n    <script type="module">{_setup_script(index_language)}</script>\n  '
    )
    html = page_html[:nav_end] + button + page_html[nav_end:]
    html = html.replace("</head>", assets + "</head>", 1)
    body_end = html.rfind("</body>")
    if body_end >= 0:
        html = html[:body_end] + dialog + html[body_end:]
    return html


def _setup_script(index_language: str | None) -> str:
    """The dialog's setup, run as a module after the deferred search script.

    Pagefind cuts a query into words only when the page itself is in Chinese or Japanese,
    so on an English page `客户成功` stayed one word and matched nothing. With one Chinese
    index for the site, a query's Chinese runs are cut here, by the browser's own word
    segmenter (the one Pagefind uses on Chinese pages), before Pagefind searches them.
    """

    def literal(value: object) -> str:  # JSON inside <script>: "</" must not end it early
        return json.dumps(value).replace("</", "<\\/")

    segment = ""
    if index_language and index_language.split("-")[0] in ("zh", "ja"):
        segment = (
            f"\nconst words = new Intl.Segmenter({literal(index_language)}, "
            '{ granularity: "word" });'
            "\nconst cut = (term) => term.replace(/\\p{Script=Han}+/gu, (run) =>"
            '\n  ` ${[...words.segment(run)].map((part) => part.segment).join(" ")} `'
            '\n).replace(/\\s+/g, " ").trim();'
            "\nconst searchAs = search.__search__.bind(search);"
            "\nsearch.__search__ = (term, filters) => searchAs(cut(term), filters);"
        )
    return (
        '\nconst search = window.PagefindComponents.getInstanceManager().getInstance("default");'
        f"{segment}"
        '\nconst query = new URLSearchParams(location.search).get("q");'
        "\nif (query) {"
        '\n  await customElements.whenDefined("pagefind-modal");'
        '\n  document.querySelector("pagefind-modal")?.open();'
        '\n  const input = document.querySelector("pagefind-modal input[type=search]");'
        "\n  if (input) {"
        "\n    input.value = query;"
        '\n    input.dispatchEvent(new Event("input", { bubbles: true }));'
        "\n  }"
        "\n}\n"
    )
