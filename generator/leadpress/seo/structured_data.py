"""JSON-LD objects (schema.org) for each kind of page, and their safe embedding in HTML.

Each builder takes plain facts and returns a plain dict, so the rules Google applies to
each type (required and recommended properties) can be checked without a site engine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

SCHEMA = "https://schema.org"
Json = dict[str, object]


@dataclass(frozen=True)
class Organization:
    name: str
    url: str
    logo: str | None = None
    same_as: tuple[str, ...] = ()

    def reference(self) -> Json:
        data: Json = {"@type": "Organization", "name": self.name, "url": self.url}
        if self.logo:
            data["logo"] = {"@type": "ImageObject", "url": self.logo}
        return data


@dataclass(frozen=True)
class Person:
    name: str
    url: str | None = None
    job_title: str | None = None

    def reference(self) -> Json:
        data: Json = {"@type": "Person", "name": self.name}
        if self.url:
            data["url"] = self.url
        if self.job_title:
            data["jobTitle"] = self.job_title
        return data


@dataclass(frozen=True)
class PageFacts:
    """What every structured-data object about a page draws on."""

    url: str
    title: str
    description: str
    lang: str
    image: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    authors: Sequence[Person] = ()
    keywords: Sequence[str] = ()
    section: str | None = None


def organization(org: Organization) -> Json:
    data = {"@context": SCHEMA, **org.reference()}
    if org.same_as:
        data["sameAs"] = list(org.same_as)
    return data


def website(org: Organization, name: str, url: str, lang: str, search_url: str | None) -> Json:
    """The site itself; with a search box in results when the site has search."""
    data: Json = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": name,
        "url": url,
        "inLanguage": lang,
        "publisher": org.reference(),
    }
    if search_url:
        data["potentialAction"] = {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search_url},
            "query-input": "required name=search_term_string",
        }
    return data


def _article(schema_type: str, page: PageFacts, publisher: Organization) -> Json:
    data: Json = {
        "@context": SCHEMA,
        "@type": schema_type,
        # Google shows at most 110 characters of a headline.
        "headline": page.title[:110],
        "description": page.description,
        "url": page.url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page.url},
        "inLanguage": page.lang,
        "publisher": publisher.reference(),
        "author": [a.reference() for a in page.authors] or [publisher.reference()],
    }
    if page.image:
        data["image"] = [page.image]
    if page.published:
        data["datePublished"] = page.published.isoformat()
        data["dateModified"] = (page.modified or page.published).isoformat()
    if page.keywords:
        data["keywords"] = ", ".join(page.keywords)
    if page.section:
        data["articleSection"] = page.section
    return data


def blog_posting(page: PageFacts, publisher: Organization) -> Json:
    return _article("BlogPosting", page, publisher)


def case_study(page: PageFacts, publisher: Organization, customer: str, industry: str) -> Json:
    """A case study is an Article about its customer."""
    data = _article("Article", page, publisher)
    data["about"] = {"@type": "Organization", "name": customer, "description": industry}
    return data


@dataclass(frozen=True)
class EventFacts:
    start: datetime
    end: datetime
    performers: Sequence[Person]
    registration_open: bool = False
    currency: str = "USD"
    registration_url: str | None = None
    offer_from: datetime | None = None


def event(page: PageFacts, facts: EventFacts, organizer: Organization) -> Json:
    """A webinar: an online event, with a free offer while registration is open."""
    data: Json = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": page.title,
        "description": page.description,
        "url": page.url,
        "inLanguage": page.lang,
        "startDate": facts.start.isoformat(),
        "endDate": facts.end.isoformat(),
        "eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode",
        "eventStatus": f"{SCHEMA}/EventScheduled",
        "location": {"@type": "VirtualLocation", "url": facts.registration_url or page.url},
        "organizer": organizer.reference(),
        "performer": [p.reference() for p in facts.performers],
    }
    if page.image:
        data["image"] = [page.image]
    if facts.registration_open:
        offer: Json = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": facts.currency,
            "availability": f"{SCHEMA}/InStock",
            "url": facts.registration_url or page.url,
        }
        if facts.offer_from:
            offer["validFrom"] = facts.offer_from.isoformat()
        data["offers"] = offer
    return data


def video(
    page: PageFacts, recording_url: str, uploaded: datetime, minutes: int | None = None
) -> Json:
    """A webinar's recording. Google requires name, thumbnailUrl and uploadDate."""
    data: Json = {
        "@context": SCHEMA,
        "@type": "VideoObject",
        "name": page.title,
        "description": page.description,
        "thumbnailUrl": [page.image] if page.image else [],
        "uploadDate": uploaded.isoformat(),
        "embedUrl": recording_url,
        "url": page.url,
        "inLanguage": page.lang,
    }
    if minutes:
        data["duration"] = (
            f"PT{minutes // 60}H{minutes % 60}M" if minutes >= 60 else f"PT{minutes}M"
        )
    return data


def breadcrumbs(trail: Sequence[tuple[str, str]]) -> Json:
    """`trail` is (name, absolute URL) from the home page down to the page itself."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": index, "name": name, "item": url}
            for index, (name, url) in enumerate(trail, start=1)
        ],
    }


@dataclass(frozen=True)
class Question:
    question: str
    answer_html: str = field(repr=False)


def faq_page(questions: Sequence[Question]) -> Json:
    return {
        "@context": SCHEMA,
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": q.question,
                "acceptedAnswer": {"@type": "Answer", "text": q.answer_html},
            }
            for q in questions
        ],
    }


# Characters that could end the <script> element or start an HTML comment inside it, and
# the two line separators that old JavaScript parsers refuse in strings.
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(data: Json) -> str:
    """JSON text that is safe inside `<script type="application/ld+json">`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # `str.replace` per character present: `str.translate` looks up every character.
    for character, escaped in _SCRIPT_ESCAPES:
        if character in text:
            text = text.replace(character, escaped)
    return text


def script_tag(data: Json) -> str:
    return f'<script type="application/ld+json">{script_json(data)}</script>'
