"""The site's content as a whole: what is published, where it lives, and the listing pages."""

from __future__ import annotations

import difflib
import functools
import heapq
import itertools
import os
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal

from ..problems import Problem
from .languages import Languages
from .loading import TYPE_BY_FOLDER, Parsed, Source, parse_source
from .models import LISTED_TYPES, Author, ContentType, Webinar
from .readtime import guess_language, reading_minutes
from .slugs import SlugStyle, slugify, slugify_ahead
from .strings import translate
from .urls import url_of

FOLDER_BY_TYPE = {kind: folder for folder, kind in TYPE_BY_FOLDER.items()}

# Slugs that would shadow a listing page's URL inside the type's folder.
RESERVED_SLUGS = {
    ContentType.ARTICLE: {"page", "category", "tag"},
    ContentType.CASE_STUDY: {"page", "industry"},
    ContentType.WEBINAR: {"page"},
}

ListingKind = Literal[
    "articles", "category", "tag", "case-studies", "industry", "webinars", "authors", "author"
]


@dataclass(frozen=True)
class Settings:
    """How content becomes pages; every value has a working default but `now`."""

    now: datetime
    site_name: str = "Leadpress site"
    include_drafts: bool = False
    page_size: int = 10
    related_count: int = 3
    slug_style: SlugStyle = "pinyin"
    default_lang: str = "en"
    # More than one language: per-language folders, URLs, listings and feeds.
    languages: Languages = field(default_factory=Languages)


@dataclass(eq=False)
class Document:
    """A published page with everything derived from its front matter and body."""

    parsed: Parsed
    slug: str
    uri: str  # where it is published, as a docs-relative Markdown path
    lang: str
    minutes: int
    authors: list[Author] = field(default_factory=list)
    related: list[Document] = field(default_factory=list)
    # The same page in the site's other languages, by language code.
    translations: dict[str, Document] = field(default_factory=dict)

    @property
    def kind(self) -> ContentType:
        return self.parsed.kind

    @property
    def meta(self):
        return self.parsed.meta

    @property
    def title(self) -> str:
        return self.meta.title or ""

    @property
    def path(self) -> str:
        return self.parsed.source.display_path

    @property
    def sort_date(self) -> datetime | None:
        if isinstance(self.meta, Webinar):
            return self.meta.start
        return getattr(self.meta, "date", None)


@dataclass(frozen=True)
class Term:
    """A category, tag or industry, with the page that lists its entries."""

    name: str
    slug: str
    uri: str
    count: int


@dataclass(eq=False)
class Listing:
    """One generated page that lists documents (one page of a paginated list)."""

    kind: ListingKind
    uri: str
    title: str
    description: str
    lang: str
    sections: list[tuple[str | None, list[Document]]]
    page: int = 1
    pages: int = 1
    newer_uri: str | None = None
    older_uri: str | None = None
    terms: list[Term] = field(default_factory=list)
    author: Author | None = None
    note: str | None = None
    # Where a Markdown intro for this listing would be written (`en/articles/index.md` on a
    # multilingual site); the same as `uri` on a site of one language.
    source_uri: str = ""
    translations: dict[str, Listing] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.source_uri = self.source_uri or self.uri


_NOUNS = {
    ContentType.ARTICLE: ("article", "articles"),
    ContentType.CASE_STUDY: ("case study", "case studies"),
    ContentType.WEBINAR: ("webinar", "webinars"),
    ContentType.PAGE: ("other page", "other pages"),
    ContentType.LANDING: ("landing page", "landing pages"),
}


@dataclass
class SiteContent:
    documents: list[Document]
    excluded: list[Parsed]
    listings: list[Listing]
    authors: dict[str, Author]
    languages: Languages = field(default_factory=Languages)

    def __post_init__(self) -> None:
        self._by_source = {d.parsed.source.src_uri: d for d in self.documents}
        self._by_listing_uri = {listing.uri: listing for listing in self.listings}
        self._by_listing_uri.update({listing.source_uri: listing for listing in self.listings})

    def document_for(self, src_uri: str) -> Document | None:
        return self._by_source.get(src_uri)

    def listing_for(self, uri: str) -> Listing | None:
        """The listing published at `uri`, or whose Markdown intro is the file at `uri`."""
        return self._by_listing_uri.get(uri)

    def lang_of(self, src_uri: str, default: str | None = None) -> str:
        """The language of the page made from `src_uri` (a document or a listing)."""
        if document := self.document_for(src_uri):
            return document.lang
        if listing := self.listing_for(src_uri):
            return listing.lang
        return default or self.languages.default

    def versions_of(self, src_uri: str) -> dict[str, str]:
        """Every language version of a page, itself included, as language -> published uri;
        empty when the page has no translation."""
        page: Document | Listing | None = self.document_for(src_uri) or self.listing_for(src_uri)
        if page is None or not page.translations:
            return {}
        versions = {lang: other.uri for lang, other in page.translations.items()}
        versions[page.lang] = page.uri
        return {lang: versions[lang] for lang in self.languages.codes if lang in versions}

    def of_kind(self, kind: ContentType) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    def describe(self) -> str:
        """Pages by type, e.g. `9 articles, 1 case study, 12 listing pages`."""
        counts = [(len(self.of_kind(kind)), *_NOUNS[kind]) for kind in ContentType]
        counts.append((len(self.listings), "listing page", "listing pages"))
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)


def build_clock() -> datetime:
    """The build's "now": `SOURCE_DATE_EPOCH` when set, so a build can be repeated exactly."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def markdown_sources(docs_dir: str, languages: Languages) -> Iterator[Source]:
    """The Markdown files in `docs_dir` as sources, in path order: what MkDocs will collect,
    read before it does (its `exclude_docs` not applied)."""
    for folder, subfolders, names in os.walk(docs_dir):
        subfolders.sort()
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            path = os.path.join(folder, name)
            src_uri = os.path.relpath(path, docs_dir).replace(os.sep, "/")
            try:
                with open(path, encoding="utf-8-sig") as file:
                    text = file.read()
            except (OSError, UnicodeDecodeError):
                continue  # MkDocs reports it when it reads the page
            yield Source(src_uri, text, src_uri, languages.split(src_uri)[0])


def likely_documents(
    sources: Iterable[Source], settings: Settings, timezone: tzinfo | None = None
) -> Iterator[tuple[Parsed, str]]:
    """Each source that parses and is published, with the language its document gets: a
    first look at what `build_site` makes documents of, for work that can start before the
    site is read (a source it then rejects, say for an address another page has, is here)."""
    for source in sources:
        parsed, _ = parse_source(source, timezone)
        if parsed is not None and is_published(parsed, settings):
            yield parsed, _language_of(parsed, settings)


def is_published(parsed: Parsed, settings: Settings) -> bool:
    """Drafts and pages dated in the future stay out unless drafts are asked for."""
    if settings.include_drafts:
        return True
    if parsed.meta.draft:
        return False
    if parsed.kind in (ContentType.ARTICLE, ContentType.CASE_STUDY):
        return parsed.meta.date <= settings.now
    return True


@functools.lru_cache(maxsize=4096)
def term_slug(name: str, style: SlugStyle = "pinyin") -> str:
    """The URL slug of a category, tag or industry name (a few names, asked for by every
    page that carries them: kept, since pinyin conversion is slow)."""
    return slugify(name, style) or "untitled"


def webinar_is_past(webinar: Webinar, now: datetime) -> bool:
    return webinar.end <= now


def build_site(
    pages: Sequence[Parsed],
    authors: dict[str, Author],
    settings: Settings,
    authors_path: str = "authors.yml",
) -> tuple[SiteContent, list[Problem]]:
    """Check the pages together, place them, and derive listing pages and related links."""
    problems = list(_check_authors(pages, authors, authors_path))
    # The pinyin of the titles comes while the reading times are counted.
    slugify_ahead(_titles_to_slug(pages), settings.slug_style)
    minutes = {
        id(parsed): reading_minutes(parsed.body)
        for parsed in pages
        if is_published(parsed, settings)
    }
    placed, placing_problems = _place(pages, settings)
    problems += placing_problems

    documents: list[Document] = []
    excluded: list[Parsed] = []
    for parsed, slug, uri, lang in placed:
        if not is_published(parsed, settings):
            excluded.append(parsed)
            continue
        meta = parsed.meta
        documents.append(
            Document(
                parsed=parsed,
                slug=slug,
                uri=uri,
                lang=lang,
                minutes=minutes[id(parsed)],
                authors=[authors[a] for a in getattr(meta, "authors", []) if a in authors],
            )
        )
    documents.sort(key=_newest_first)
    languages = settings.languages
    if not languages.multilingual:
        languages = Languages((settings.default_lang,))
    problems += _link_translations(documents, languages)
    slugify_ahead(_term_names(documents), settings.slug_style)
    listings: list[Listing] = []
    for lang in languages.codes:
        # One language's pages are related to and listed with each other only.
        own = [d for d in documents if languages.group(d.lang) == lang]
        _assign_related(own if languages.multilingual else documents, settings)
        listings += _listings(own, authors, settings, lang)
    _link_listing_translations(listings, languages)
    problems += _check_listing_collisions(documents, listings)
    return SiteContent(documents, excluded, listings, authors, languages), problems


def _titles_to_slug(pages: Sequence[Parsed]) -> Iterator[str]:
    """The titles that pages without a `slug:` get their slug from."""
    return (p.meta.title for p in pages if p.kind in LISTED_TYPES and not p.meta.slug)


def _term_names(documents: Sequence[Document]) -> Iterator[str]:
    """The category, tag and industry names that listings make slugs of."""
    for document in documents:
        meta = document.meta
        yield from getattr(meta, "tags", ())
        yield from getattr(meta, "categories", ())
        industry = getattr(meta, "industry", None)
        if industry:
            yield industry


def _language_of(parsed: Parsed, settings: Settings) -> str:
    meta = parsed.meta
    folder = parsed.source.lang_folder
    return folder or meta.lang or guess_language(meta.title or "") or settings.default_lang


def _translation_key(document: Document) -> str:
    key = document.meta.translation_key
    return f"key:{key}" if key else f"path:{document.parsed.source.path_in_language}"


def _link_translations(documents: Sequence[Document], languages: Languages) -> list[Problem]:
    """Pages of different languages with the same path in their folders (or the same
    `translation_key`) are translations of each other."""
    if not languages.multilingual:
        return []
    problems: list[Problem] = []
    groups: dict[str, dict[str, Document]] = defaultdict(dict)
    for document in sorted(documents, key=lambda d: d.parsed.source.src_uri):
        group = groups[_translation_key(document)]
        if document.lang in group:
            other = group[document.lang]
            problems.append(
                Problem(
                    document.path,
                    "translation_key",
                    f"{document.meta.translation_key!r} is also the key of {other.path}, in "
                    f"the same language ({document.lang}); each language has one page per "
                    "key: give one of them another `translation_key:`",
                )
            )
            continue
        group[document.lang] = document
    for group in groups.values():
        for document in group.values():
            document.translations = {
                lang: other for lang, other in group.items() if other is not document
            }
    return problems


def _link_listing_translations(listings: Sequence[Listing], languages: Languages) -> None:
    groups: dict[str, list[Listing]] = defaultdict(list)
    for listing in listings:
        groups[listing.uri.removeprefix(languages.prefix(listing.lang))].append(listing)
    for group in groups.values():
        for listing in group:
            listing.translations = {o.lang: o for o in group if o is not listing}


def _check_listing_collisions(
    documents: Sequence[Document], listings: Sequence[Listing]
) -> Iterable[Problem]:
    """A page may not take the URL of a generated listing (its own intro page aside)."""
    listing_at = {url_of(listing.uri): listing for listing in listings}
    for document in documents:
        listing = listing_at.get(url_of(document.uri))
        if listing is not None and listing.uri != document.uri:
            yield Problem(
                document.path,
                "slug" if document.kind in LISTED_TYPES else "",
                f"its URL /{url_of(document.uri)} is taken by the generated page "
                f"“{listing.title}”; rename the file or set another `slug:`",
            )


def _newest_first(document: Document) -> tuple[float, str]:
    moment = document.sort_date
    return (-moment.timestamp() if moment else 0.0, document.uri)


def _check_authors(
    pages: Iterable[Parsed], authors: dict[str, Author], authors_path: str
) -> Iterable[Problem]:
    known = sorted(authors)
    for parsed in pages:
        for index, author_id in enumerate(getattr(parsed.meta, "authors", [])):
            if author_id in authors:
                continue
            close = difflib.get_close_matches(author_id, known, n=1)
            hint = (
                f"did you mean `{close[0]}`?"
                if close
                else (f"known ids: {', '.join(known)}." if known else "no author is defined yet.")
            )
            yield Problem(
                parsed.source.display_path,
                f"authors[{index}]",
                f"unknown author id {author_id!r}; {hint} Authors are defined in {authors_path}.",
            )


def _place(
    pages: Sequence[Parsed], settings: Settings
) -> tuple[list[tuple[Parsed, str, str, str]], list[Problem]]:
    """Give each page its language, slug and published path; two pages may not share one.
    (The pinyin of the titles is asked for ahead, by `build_site`.)"""
    problems: list[Problem] = []
    placed: list[tuple[Parsed, str, str, str]] = []
    owner: dict[str, Parsed] = {}
    for parsed in sorted(pages, key=lambda p: p.source.src_uri):
        meta = parsed.meta
        source = parsed.source
        if source.lang_folder and meta.lang and meta.lang != source.lang_folder:
            problems.append(
                Problem(
                    source.display_path,
                    "lang",
                    f"says {meta.lang!r}, but the file is in the {source.lang_folder}/ folder, "
                    f"which holds the {source.lang_folder} pages; remove `lang:` or move the "
                    f"file to the {meta.lang}/ folder",
                )
            )
            continue
        lang = _language_of(parsed, settings)
        prefix = settings.languages.prefix(lang)
        stem = posixpath.splitext(posixpath.basename(source.src_uri))[0]
        if parsed.kind not in LISTED_TYPES:
            # Pages outside the language folders keep their path.
            slug = stem
            uri = prefix + source.path_in_language if source.lang_folder else source.src_uri
        else:
            slug = meta.slug or slugify(meta.title, settings.slug_style) or slugify(stem)
            uri = f"{prefix}{FOLDER_BY_TYPE[parsed.kind]}/{slug}/index.md"
            if slug in RESERVED_SLUGS[parsed.kind]:
                problems.append(
                    Problem(
                        parsed.source.display_path,
                        "slug",
                        f"{slug!r} is reserved for the listing pages of "
                        f"{FOLDER_BY_TYPE[parsed.kind]}/; set another slug, "
                        f"e.g. `slug: {slug}-guide`",
                    )
                )
                continue
        if uri in owner:
            other = owner[uri].source.display_path
            problems.append(
                Problem(
                    parsed.source.display_path,
                    "slug",
                    f"{slug!r} is already used by {other}; give one of them another "
                    f"`slug:` so that each has its own URL",
                )
            )
            continue
        owner[uri] = parsed
        placed.append((parsed, slug, uri, lang))
    return placed, problems


def _assign_related(documents: Sequence[Document], settings: Settings) -> None:
    """Give each page the pages sharing most tags and categories; same language, then newest.

    Labels are compared by slug, as listings group them (`Pipeline` is `pipeline`). On a
    large site a common tag is carried by thousands of pages, so pages are not compared
    one by one: for each page, the pages sharing all of its labels, then all but one, and
    so on, are found by intersecting sets of page numbers, until enough are found.
    """
    count = settings.related_count
    if count <= 0:
        return
    order = {id(d): n for n, d in enumerate(documents)}  # documents are newest first
    candidates = [d for d in documents if d.kind in LISTED_TYPES]
    by_number = {order[id(d)]: d for d in candidates}
    labels = {
        id(d): sorted(
            {
                term_slug(name, settings.slug_style)
                for name in (*d.meta.tags, *getattr(d.meta, "categories", []))
            }
        )
        for d in candidates
    }
    pages_with: dict[str, set[int]] = defaultdict(set)
    in_language: dict[str, set[int]] = defaultdict(set)
    for document in candidates:
        number = order[id(document)]
        in_language[document.lang].add(number)
        for label in labels[id(document)]:
            pages_with[label].add(number)
    for document in candidates:
        own = labels[id(document)]
        number = order[id(document)]
        if len(own) > MAX_LABELS_BY_SETS:
            document.related = _related_by_counting(
                document, number, own, pages_with, by_number, count
            )
            continue
        chosen: list[int] = []
        seen = {number}  # itself, then pages already ranked higher
        for shared in range(len(own), 0, -1):
            level: set[int] = set()
            for combination in itertools.combinations(own, shared):
                level |= set.intersection(*(pages_with[label] for label in combination))
            level -= seen
            seen |= level
            same = level & in_language[document.lang]
            for group in (same, level - same):  # the page's own language first
                chosen.extend(sorted(group)[: count - len(chosen)])
            if len(chosen) >= count:
                break
        document.related = [by_number[n] for n in chosen]


# More labels than this on one page: counting shared labels page by page is cheaper than
# intersecting every combination of them.
MAX_LABELS_BY_SETS = 6


def _related_by_counting(
    document: Document,
    number: int,
    own: list[str],
    pages_with: dict[str, set[int]],
    by_number: dict[int, Document],
    count: int,
) -> list[Document]:
    shared: dict[int, int] = defaultdict(int)
    for label in own:
        for other in pages_with[label]:
            shared[other] += 1
    shared.pop(number, None)
    ranked = heapq.nsmallest(
        count,
        shared,
        key=lambda other: (-(shared[other] * 2 + (by_number[other].lang == document.lang)), other),
    )
    return [by_number[other] for other in ranked]


def _listings(
    documents: Sequence[Document], authors: dict[str, Author], settings: Settings, lang: str
) -> list[Listing]:
    """The listing pages of one language, under that language's URL prefix."""
    site = settings.site_name
    prefix = settings.languages.prefix(lang)
    articles = [d for d in documents if d.kind == ContentType.ARTICLE]
    cases = [d for d in documents if d.kind == ContentType.CASE_STUDY]
    webinars = [d for d in documents if d.kind == ContentType.WEBINAR]
    listings: list[Listing] = []

    def paginate(
        kind: ListingKind,
        base: str,
        title: str,
        description: str,
        entries: list[Document],
        **extra: object,
    ) -> None:
        size = max(1, settings.page_size)
        chunks = [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]
        uris = [f"{base}/index.md"] + [
            f"{base}/page/{n}/index.md" for n in range(2, len(chunks) + 1)
        ]
        for number, chunk in enumerate(chunks, start=1):
            listings.append(
                Listing(
                    kind=kind,
                    uri=uris[number - 1],
                    title=title if number == 1 else f"{title} ({number})",
                    description=description,
                    lang=lang,
                    sections=[(None, chunk)],
                    page=number,
                    pages=len(chunks),
                    newer_uri=uris[number - 2] if number > 1 else None,
                    older_uri=uris[number] if number < len(chunks) else None,
                    **extra,  # type: ignore[arg-type]
                )
            )

    categories = _terms(
        articles, lambda d: d.meta.categories, f"{prefix}articles/category", settings
    )
    tags = _terms(articles, lambda d: d.meta.tags, f"{prefix}articles/tag", settings)
    industries = _terms(
        cases, lambda d: [d.meta.industry], f"{prefix}case-studies/industry", settings
    )
    for section, key, entries, facets in (
        ("articles", "articles", articles, categories),
        ("case-studies", "case_studies", cases, industries),
    ):
        paginate(
            section,  # type: ignore[arg-type]
            prefix + section,
            translate(lang, key),
            translate(lang, f"{key}_description", site=site),
            entries,
            terms=[term for term, _ in facets],
        )
    for kind, groups in (("category", categories), ("tag", tags), ("industry", industries)):
        for term, entries in groups:
            paginate(
                kind,
                term.uri.removesuffix("/index.md"),
                translate(lang, kind, name=term.name),
                translate(lang, f"{kind}_description", name=term.name, site=site),
                entries,
            )

    upcoming = sorted(
        (d for d in webinars if not webinar_is_past(d.meta, settings.now)),
        key=lambda d: d.meta.start,
    )
    past = [d for d in webinars if webinar_is_past(d.meta, settings.now)]
    listings.append(
        Listing(
            kind="webinars",
            uri=f"{prefix}webinars/index.md",
            title=translate(lang, "webinars"),
            description=translate(lang, "webinars_description", site=site),
            lang=lang,
            sections=[(translate(lang, "upcoming"), upcoming), (translate(lang, "past"), past)],
            note=None if upcoming else translate(lang, "none_upcoming"),
        )
    )

    if authors:
        by_author: dict[str, list[Document]] = defaultdict(list)
        for document in documents:
            for author in document.authors:
                by_author[author.id].append(document)
        listings.append(
            Listing(
                kind="authors",
                uri=f"{prefix}authors/index.md",
                title=translate(lang, "authors"),
                description=translate(lang, "authors_description", site=site),
                lang=lang,
                sections=[],
                terms=[
                    Term(
                        author.name,
                        author_id,
                        f"{prefix}authors/{author_id}/index.md",
                        len(by_author[author_id]),
                    )
                    for author_id, author in sorted(authors.items())
                ],
            )
        )
        for author_id, author in sorted(authors.items()):
            paginate(
                "author",
                f"{prefix}authors/{author_id}",
                translate(lang, "author_page", name=author.name),
                _bio_in(author, lang, settings)
                or translate(lang, "author_description", name=author.name, site=site),
                by_author[author_id],
                author=author,
            )
    if settings.languages.multilingual:
        for listing in listings:
            listing.source_uri = f"{lang}/{listing.uri.removeprefix(prefix)}"
    return listings


def _bio_in(author: Author, lang: str, settings: Settings) -> str | None:
    """An author's bio where it is written in `lang`: a Chinese page does not borrow an
    English bio (nor its search snippet) on a multilingual site."""
    if not author.bio or not settings.languages.multilingual:
        return author.bio
    written_in = guess_language(author.bio) or settings.languages.default
    return author.bio if written_in.split("-")[0] == lang.split("-")[0] else None


def _terms(
    documents: Sequence[Document],
    names_of,
    base: str,
    settings: Settings,
) -> list[tuple[Term, list[Document]]]:
    """Group documents by category, tag or industry; names that slug alike are one term."""
    groups: dict[str, list[Document]] = defaultdict(list)
    first_name: dict[str, str] = {}
    for document in documents:
        for name in names_of(document):
            slug = term_slug(name, settings.slug_style)
            first_name.setdefault(slug, name)
            if document not in groups[slug]:
                groups[slug].append(document)
    return [
        (Term(first_name[slug], slug, f"{base}/{slug}/index.md", len(entries)), entries)
        for slug, entries in sorted(groups.items())
    ]
