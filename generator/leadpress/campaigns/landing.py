"""Landing pages of campaigns: where they live, what state they are in, the social proof
they pull from case studies, and the checks that need the site's content."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ..content.collections import Document, SiteContent, term_slug
from ..content.models import LISTED_TYPES, ContentType
from ..problems import Problem
from .links import landing_path
from .loading import CampaignFile
from .models import Campaign, Landing

State = Literal["running", "upcoming", "ended"]


@dataclass(frozen=True)
class LandingPage:
    file: CampaignFile
    index: int  # position in the campaign's `landing:` list, for error messages
    landing: Landing

    @property
    def campaign(self) -> Campaign:
        return self.file.campaign

    @property
    def path(self) -> str:
        return landing_path(self.campaign, self.landing.variant)

    @property
    def uri(self) -> str:
        """Where MkDocs publishes it, as a docs-relative Markdown path."""
        return self.path + "index.md"

    @property
    def title(self) -> str:
        return self.landing.title or self.landing.headline

    @property
    def noindex(self) -> bool:
        return self.campaign.noindex if self.landing.noindex is None else self.landing.noindex


def landing_pages(files: Sequence[CampaignFile]) -> list[LandingPage]:
    return [
        LandingPage(file, index, landing)
        for file in files
        for index, landing in enumerate(file.campaign.landing)
    ]


def state_of(campaign: Campaign, now: datetime) -> State:
    if now < campaign.start:
        return "upcoming"
    return "running" if now <= campaign.end else "ended"


def select_proof(site: SiteContent, landing: Landing) -> list[Document]:
    """Case studies with any of the proof's tags or industries, newest first."""
    if landing.proof is None:
        return []
    tags = {term_slug(tag) for tag in landing.proof.tags}
    industries = {term_slug(name) for name in landing.proof.industries}
    chosen = [
        study
        for study in site.of_kind(ContentType.CASE_STUDY)
        if tags & {term_slug(tag) for tag in study.meta.tags}
        or term_slug(study.meta.industry) in industries
    ]
    chosen.sort(key=lambda study: study.meta.date, reverse=True)
    return chosen[: landing.proof.limit]


def newest_content(site: SiteContent, count: int = 3) -> list[Document]:
    entries = [d for d in site.documents if d.kind in LISTED_TYPES and d.sort_date]
    entries.sort(key=lambda d: d.sort_date, reverse=True)
    return entries[:count]


def check_against_site(
    pages: Sequence[LandingPage],
    site: SiteContent,
    taken_paths: Collection[str],
    forms: Collection[str],
) -> list[Problem]:
    """Problems only the site's content reveals: proof tags no case study has, forms that do
    not exist, landing pages on the URL of an existing page."""
    studies = site.of_kind(ContentType.CASE_STUDY)
    known_tags = {term_slug(t): t for s in studies for t in s.meta.tags}
    known_industries = {term_slug(s.meta.industry): s.meta.industry for s in studies}
    problems: list[Problem] = []
    for page in pages:
        where = f"landing[{page.index}]"
        proof = page.landing.proof
        for group, names, known in (
            ("tags", proof.tags if proof else [], known_tags),
            ("industries", proof.industries if proof else [], known_industries),
        ):
            for position, name in enumerate(names):
                if term_slug(name) not in known:
                    listed = ", ".join(sorted(known.values())) or "none yet"
                    problems.append(
                        Problem(
                            page.file.path,
                            f"{where}.proof.{group}[{position}]",
                            f"no case study has the {group[:-1] if group == 'tags' else 'industry'}"
                            f" {name!r}; case studies have: {listed}",
                        )
                    )
        form = page.landing.form
        if form is not None and form not in forms:
            defined = ", ".join(sorted(forms)) or "none are defined yet"
            problems.append(
                Problem(
                    page.file.path,
                    f"{where}.form",
                    f"unknown form {form!r} (forms: {defined}); define it in "
                    "campaigns/forms.yml, or use `cta: {label: ..., url: ...}` instead",
                )
            )
        if page.path in taken_paths:
            problems.append(
                Problem(
                    page.file.path,
                    "slug" if page.landing.variant is None else f"{where}.variant",
                    f"/{page.path} is already the address of a page of the site; choose "
                    "another campaign slug or variant",
                )
            )
    return problems
