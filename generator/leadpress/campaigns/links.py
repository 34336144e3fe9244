"""Tracked links of campaigns: codes, UTM and referral parameters, short redirects, reports.

Every target is built from the campaign files alone: a landing page of the site, a page of
the site, or a URL on a host the site's config allows. Nothing a visitor sends can choose
where a short link goes, so `/go/<code>/` is never an open redirect.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from html import escape
from urllib.parse import urlencode, urlsplit

import segno

from ..problems import Problem
from .loading import CampaignFile
from .models import Campaign, Channel, Partner

SHORT_PREFIX = "go"
# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TrackedLink:
    campaign: str  # the campaign's slug
    campaign_name: str
    kind: str  # "channel" or "partner"
    id: str
    name: str
    code: str
    short_url: str
    url: str  # the full target, parameters included
    reward: str = ""

    @property
    def redirect_path(self) -> str:
        return f"{SHORT_PREFIX}/{self.code}/"


def landing_path(campaign: Campaign, variant: str | None = None) -> str:
    """Site-relative URL of a campaign's landing page: `spring-launch/` or `spring-launch/cfo/`."""
    return f"{campaign.slug}/{variant}/" if variant else f"{campaign.slug}/"


def derive_code(campaign_slug: str, kind: str, item_id: str) -> str:
    """Six characters of a hash of the campaign and the channel or partner: short, URL-safe
    and the same in every build; set `code:` to choose one instead."""
    digest = hashlib.sha256(f"{campaign_slug}:{kind}:{item_id}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:6]


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query, before any #fragment."""
    base, hashmark, fragment = url.partition("#")
    query = urlencode([(k, v) for k, v in params.items() if v])
    if not query:
        return url
    joined = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{joined}{hashmark}{fragment}"


def _params(campaign: Campaign, item: Channel | Partner, code: str) -> dict[str, str]:
    utm = campaign.utm
    if isinstance(item, Channel):
        return {
            "utm_source": item.utm_source,
            "utm_medium": item.utm_medium,
            "utm_campaign": utm.campaign or campaign.slug,
            "utm_content": item.utm_content or utm.content or "",
            "utm_term": item.utm_term or utm.term or "",
        }
    return {
        "utm_source": item.utm_source or item.id,
        "utm_medium": item.utm_medium,
        "utm_campaign": utm.campaign or campaign.slug,
        "ref": code,
    }


def target_problem(url: str, site_url: str, allowed_hosts: Sequence[str]) -> str | None:
    """Why `url` may not be a link target, or None when it may."""
    if url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return (
            f"{url!r} is neither a path of the site (starting with /) nor a web address; "
            "e.g. `url: /webinars/launch/` or `url: https://events.partner.example/launch`"
        )
    site_host = urlsplit(site_url).hostname
    if parts.hostname == site_host or parts.hostname in allowed_hosts:
        return None
    return (
        f"{parts.hostname} is not one of the site's hosts, so a short link could be used to "
        f"send visitors anywhere; add it under `allowed_hosts:` of leadpress/campaigns in "
        f"mkdocs.yml if you trust it"
    )


def _absolute(url: str, site_url: str) -> str:
    return site_url + url.lstrip("/") if url.startswith("/") else url


def build_links(
    files: Sequence[CampaignFile], site_url: str, allowed_hosts: Sequence[str] = ()
) -> tuple[list[TrackedLink], list[Problem]]:
    """Every channel's and partner's tracked link, and every problem with them: unknown
    landing variants, targets on unlisted hosts, codes used twice."""
    links: list[TrackedLink] = []
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for file in files:
        campaign = file.campaign
        if campaign.slug in slugs:
            problems.append(
                Problem(
                    file.path,
                    "slug",
                    f"{campaign.slug!r} is also the slug of {slugs[campaign.slug]}; "
                    "each campaign needs its own, e.g. `slug: spring-launch-2027`",
                )
            )
        slugs.setdefault(campaign.slug, file.path)
        variants = [page.variant for page in campaign.landing]
        problems += _duplicates(file.path, "landing", "variant", variants)
        problems += _duplicates(file.path, "channels", "id", [c.id for c in campaign.channels])
        problems += _duplicates(file.path, "partners", "id", [p.id for p in campaign.partners])
        for group, kind, items in (
            ("channels", "channel", campaign.channels),
            ("partners", "partner", campaign.partners),
        ):
            for index, item in enumerate(items):
                where = f"{group}[{index}]"
                code = item.code or derive_code(campaign.slug, kind, item.id)
                field = "code" if item.code else "id"
                if code in owners:
                    problems.append(
                        Problem(
                            file.path,
                            f"{where}.{field}",
                            f"code {code!r} is already used by {owners[code]}; set a "
                            f"different `code:`, e.g. `code: {campaign.slug[:12]}-{item.id}`",
                        )
                    )
                    continue
                owners[code] = f"{file.path} {where}"
                if item.landing is not None and item.landing not in variants:
                    known = ", ".join(v for v in variants if v) or "none"
                    problems.append(
                        Problem(
                            file.path,
                            f"{where}.landing",
                            f"{item.landing!r} is not a landing variant of this campaign "
                            f"(variants: {known}); leave it out for the main landing page",
                        )
                    )
                    continue
                if item.url is not None:
                    reason = target_problem(item.url, site_url, allowed_hosts)
                    if reason:
                        problems.append(Problem(file.path, f"{where}.url", reason))
                        continue
                    target = _absolute(item.url, site_url)
                else:
                    target = site_url + landing_path(campaign, item.landing)
                links.append(
                    TrackedLink(
                        campaign=campaign.slug,
                        campaign_name=campaign.name,
                        kind=kind,
                        id=item.id,
                        name=item.name,
                        code=code,
                        short_url=f"{site_url}{SHORT_PREFIX}/{code}/",
                        url=with_query(target, _params(campaign, item, code)),
                        reward=getattr(item, "reward", None) or "",
                    )
                )
    return links, problems


def _duplicates(path: str, group: str, field: str, values: Sequence[str | None]) -> list[Problem]:
    seen: set[str | None] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            shown = "the main page (no variant)" if value is None else repr(value)
            problems.append(
                Problem(
                    path,
                    f"{group}[{index}].{field}",
                    f"{shown} appears twice in `{group}`; give each entry its own {field}",
                )
            )
        seen.add(value)
    return problems


def redirect_page(link: TrackedLink, lang: str = "en") -> str:
    """A static page that forwards to the link's target, parameters intact.

    The meta refresh works without JavaScript; the script also carries over parameters
    that an ad platform appended to the short link (gclid and the like), and runs first.
    It reads the target from the canonical link, so it is the same text on every short
    link's page and the site's Content-Security-Policy allows it by one hash.
    """
    target = escape(link.url, quote=True)
    return f"""<!doctype html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(link.campaign_name)}</title>
<meta name="robots" content="noindex, nofollow">
<link rel="canonical" href="{target}">
<script>
(function () {{
  var target = new URL(document.querySelector('link[rel="canonical"]').href);
  new URLSearchParams(location.search).forEach(function (value, key) {{
    if (!target.searchParams.has(key)) target.searchParams.set(key, value);
  }});
  location.replace(target.href);
}})();
</script>
<meta http-equiv="refresh" content="0; url={target}">
</head>
<body>
<p><a href="{target}">{escape(link.campaign_name)}</a></p>
</body>
</html>
"""


def redirects_file(links: Iterable[TrackedLink]) -> str:
    """`_redirects` lines (Netlify, Cloudflare Pages) that answer short links at the CDN."""
    lines = []
    for link in sorted(links, key=lambda item: item.code):
        lines.append(f"/{SHORT_PREFIX}/{link.code} {link.url} 302")
        lines.append(f"/{SHORT_PREFIX}/{link.code}/ {link.url} 302")
    return "\n".join(lines) + "\n" if lines else ""


REPORT_COLUMNS = ("campaign", "kind", "id", "name", "code", "short_url", "url", "reward")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def report_csv(links: Iterable[TrackedLink]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for link in links:
        row = asdict(link)
        writer.writerow([_cell(str(row[column])) for column in REPORT_COLUMNS])
    return out.getvalue()


def report_json(links: Iterable[TrackedLink]) -> str:
    rows = [{column: asdict(link)[column] for column in REPORT_COLUMNS} for link in links]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def report_table(links: Sequence[TrackedLink]) -> str:
    """A plain table for the terminal, one campaign after another."""
    lines: list[str] = []
    campaign = None
    for link in links:
        if link.campaign != campaign:
            campaign = link.campaign
            lines += [*([""] if lines else []), f"{link.campaign_name} ({link.campaign})"]
        lines.append(f"  {link.kind} {link.id}: {link.name}")
        lines.append(f"    short  {link.short_url}  (code {link.code})")
        lines.append(f"    full   {link.url}")
        if link.reward:
            lines.append(f"    reward {link.reward}")
    return "\n".join(lines)


def qr_svg(url: str) -> bytes:
    """An SVG QR code of `url`, sized for print and for a WeChat scan."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=8, border=4)
    return out.getvalue()
