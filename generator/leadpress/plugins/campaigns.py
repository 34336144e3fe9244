"""`leadpress/campaigns`: landing pages from `campaigns/*.yml`, tracked links, `/go/<code>/`
short redirects, the `campaign:` link shorthand in Markdown, and the links report."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..buildcache.pages import hash_files
from ..campaigns.landing import (
    LandingPage,
    check_against_site,
    landing_pages,
    newest_content,
    select_proof,
    state_of,
)
from ..campaigns.links import (
    TrackedLink,
    build_links,
    landing_path,
    qr_svg,
    redirect_page,
    redirects_file,
    report_csv,
    target_problem,
    with_query,
)
from ..campaigns.loading import CampaignFile, load_campaigns
from ..content.models import ContentType
from ..content.models import Landing as MarkdownLanding
from ..content.render import set_page_language
from ..content.urls import relative_url
from ..problems import Problem, format_problems
from .content import ContentPlugin
from .publish import write_site_redirects

log = get_plugin_logger(__name__)

CONTENT_PLUGIN = "leadpress/content"
FORMS_PLUGIN = "leadpress/forms"
PUBLISH_PLUGIN = "leadpress/publish"
TEMPLATE = "leadpress/landing-page.html"
# Material's parts a landing page leaves out: the visitor's one path is the form.
LANDING_HIDE = ("footer", "navigation", "path", "toc")
# [Book a demo](campaign:spring-launch) or (campaign:spring-launch/linkedin)
SHORTHAND = re.compile(r"\]\(\s*campaign:([^)\s/]+)(?:/([^)\s]+))?\s*\)")


class CampaignsConfig(Config):
    campaigns_dir = opt.Type(str, default="campaigns")  # beside mkdocs.yml
    # Hosts besides the site's own that tracked links may lead to.
    allowed_hosts = opt.ListOfItems(opt.Type(str), default=[])
    # Write site/campaigns/<slug>/links.csv and QR codes for every campaign.
    publish_links = opt.Type(bool, default=False)


class CampaignsPlugin(BasePlugin[CampaignsConfig]):
    supports_multiple_instances = False
    # Nothing kept per page: a page's problem fails the build (see leadpress/buildcache).
    page_cache_safe = True

    def __init__(self) -> None:
        self.files: list[CampaignFile] = []
        self.links: list[TrackedLink] = []
        self.pages: dict[str, LandingPage] = {}

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Read here rather than in on_config: every plugin's settings (the time zone) are set.
        base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.folder = base / self.config.campaigns_dir
        content = config.plugins.get(CONTENT_PLUGIN)
        zone = getattr(content, "zone", None) or ZoneInfo("UTC")
        self.site_url = config.site_url or ""
        if self.site_url and not self.site_url.endswith("/"):
            self.site_url += "/"
        shown = os.path.relpath(self.folder, Path.cwd()).replace(os.sep, "/")
        self.files, problems = load_campaigns(self.folder, shown, zone)
        if not problems:
            self.links, problems = build_links(self.files, self.site_url, self.config.allowed_hosts)
        if problems:
            raise PluginError(format_problems(problems))
        forms_plugin = config.plugins.get(FORMS_PLUGIN)
        self.forms = set(getattr(forms_plugin, "forms", {})) or _form_names(self.folder)
        self.pages = {page.uri: page for page in landing_pages(self.files)}
        self.link_problems: list[Problem] = []
        for uri, page in self.pages.items():
            front = {
                "title": page.title,
                "description": page.landing.description or page.landing.subheading or "",
                "template": TEMPLATE,
                "hide": list(LANDING_HIDE),
                "search": {"exclude": True},
                "noindex": page.noindex,
            }
            if page.campaign.lang:
                front["lang"] = page.campaign.lang  # the theme's strings follow it
            text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n"
            files.append(
                File.generated(config, uri, content=text, inclusion=InclusionLevel.NOT_IN_NAV)
            )
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # After every plugin's on_files: the content's own pages are in place.
        content = _content_plugin(config)
        self.now = content.settings.now
        taken = {file.url for file in files.documentation_pages() if file.src_uri not in self.pages}
        problems = check_against_site(list(self.pages.values()), content.site, taken, self.forms)
        if problems:
            raise PluginError(format_problems(problems))
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files):
        landing = self.pages.get(page.file.src_uri)
        if landing is not None:
            return self._landing_html(landing, page, config, files)
        document = _content_plugin(config).site.document_for(page.file.src_uri)
        if document is not None and document.kind == ContentType.LANDING:
            self._markdown_landing(document.meta, page)
        return SHORTHAND.sub(lambda match: self._shorthand(match, page, config), markdown)

    def _shorthand(self, match: re.Match[str], page: Page, config: MkDocsConfig) -> str:
        slug, channel_id = match.group(1), match.group(2)
        campaign = next((f.campaign for f in self.files if f.campaign.slug == slug), None)
        if campaign is None:
            known = ", ".join(f.campaign.slug for f in self.files) or "none are defined"
            message = f"no campaign has the slug {slug!r} (campaigns: {known})"
            self._problem(page, f"link `campaign:{slug}`: {message}")
            return match.group(0)
        utm = campaign.utm
        params = {
            "utm_source": utm.source or "website",
            "utm_medium": utm.medium or "internal",
            "utm_campaign": utm.campaign or campaign.slug,
        }
        variant = None
        if channel_id:
            channel = next((c for c in campaign.channels if c.id == channel_id), None)
            if channel is None:
                known = ", ".join(c.id for c in campaign.channels) or "none"
                message = f"campaign {slug!r} has no channel {channel_id!r} (channels: {known})"
                self._problem(page, f"link `campaign:{slug}/{channel_id}`: {message}")
                return match.group(0)
            params.update(utm_source=channel.utm_source, utm_medium=channel.utm_medium)
            variant = channel.landing
        # The page that carries the link is the content that earned the click.
        params["utm_content"] = page.url.strip("/").rsplit("/", 1)[-1] or "home"
        # A path to the landing page's (generated) source, as Markdown links are written:
        # MkDocs checks it and turns it into the page's URL, keeping the query.
        target = landing_path(campaign, variant) + "index.md"
        href = posixpath.relpath(target, posixpath.dirname(page.file.src_uri) or ".")
        return f"]({with_query(href, params)})"

    def _markdown_landing(self, meta: MarkdownLanding, page: Page) -> None:
        """A `type: landing` page gets the landing layout; its campaign and form must exist."""
        page.meta.setdefault("template", TEMPLATE)
        page.meta["hide"] = sorted({*page.meta.get("hide", []), *LANDING_HIDE})
        slugs = [f.campaign.slug for f in self.files]
        if meta.campaign is not None and meta.campaign not in slugs:
            known = ", ".join(slugs) or "none are defined"
            message = f"no campaign has the slug {meta.campaign!r} (campaigns: {known})"
            self._problem(page, message, field="campaign")
        if meta.form is not None and meta.form not in self.forms:
            defined = ", ".join(sorted(self.forms)) or "none are defined yet"
            message = f"unknown form {meta.form!r} (forms: {defined}); define it in forms.yml"
            self._problem(page, message, field="form")

    def _problem(self, page: Page, message: str, field: str = "") -> None:
        shown = os.path.relpath(page.file.abs_src_path or page.file.src_uri, Path.cwd())
        self.link_problems.append(Problem(shown.replace(os.sep, "/"), field, message))

    def _landing_html(
        self, landing: LandingPage, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        content = _content_plugin(config)
        site, renderer = content.site, content.renderer
        campaign = landing.campaign
        lang = campaign.lang or content.settings.default_lang
        state = state_of(campaign, content.settings.now)
        privacy = content.find_page("privacy.md", files, lang)
        return renderer.render(
            "leadpress/landing.html",
            landing.uri,
            lang,
            campaign=campaign,
            campaign_goal=campaign.goal,
            landing=landing.landing,
            state=state,
            proof=select_proof(site, landing.landing),
            newest=newest_content(site) if state == "ended" else [],
            cta_href=self._href(landing, "cta.url", page, config, files),
            image=self._href(landing, "image", page, config, files),
            privacy_href=relative_url(privacy.url, page.url) if privacy else "",
            site_name=config.site_name,
        )

    def _href(
        self, landing: LandingPage, field: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """A link from the landing page to its `cta.url` or `image`: a Markdown file or path
        of the site, or a URL on an allowed host."""
        target = landing.landing.cta.url if field == "cta.url" and landing.landing.cta else ""
        if field == "image":
            target = landing.landing.image or ""
        if not target:
            return ""
        path, hashmark, fragment = target.partition("#")
        if "://" in path:
            reason = target_problem(path, self.site_url, self.config.allowed_hosts)
            if reason:
                where = f"landing[{landing.index}].{field}"
                raise PluginError(format_problems([Problem(landing.file.path, where, reason)]))
            return target
        # On a multilingual site, a page of the campaign's language first.
        source = _content_plugin(config).find_page(path, files, landing.campaign.lang)
        if source is not None:
            return relative_url(source.url, page.url) + hashmark + fragment
        return relative_url(path.lstrip("/"), page.url) + hashmark + fragment

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        landing = self.pages.get(page.file.src_uri)
        lang = landing.campaign.lang if landing else None
        if lang and lang != _content_plugin(config).settings.default_lang:
            return set_page_language(output, lang)
        return output

    def redirect_lines(self) -> list[str]:
        """Short links as `_redirects` rules, for CDNs that answer them without a page."""
        return redirects_file(self.links).splitlines()

    # Taking part in the page cache of leadpress/buildcache -----------------------------------

    def cache_facts(self) -> Any:
        """Pages link campaigns as their files define them."""
        return hash_files([self.folder])

    def page_cache_facts(self, file: File) -> Any:
        """A landing page shows its campaign's state (upcoming, running, ended), which
        moves with the build clock."""
        landing = self.pages.get(file.src_uri)
        if landing is None:
            return None
        return state_of(landing.campaign, self.now)

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.link_problems:
            raise PluginError(format_problems(self.link_problems))
        site_dir = Path(config.site_dir)
        langs = {f.campaign.slug: f.campaign.lang or "en" for f in self.files}
        for link in self.links:
            target = site_dir / link.redirect_path / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(redirect_page(link, langs[link.campaign]), encoding="utf-8")
        if PUBLISH_PLUGIN not in config.plugins:
            # leadpress/publish writes _redirects when it runs; without it, this plugin does,
            # with the same rules from the same place.
            write_site_redirects(config)
        for file in self.files:
            campaign = file.campaign
            if not (campaign.publish_links or self.config.publish_links):
                continue
            own_links = [link for link in self.links if link.campaign == campaign.slug]
            folder = site_dir / "campaigns" / campaign.slug
            (folder / "qr").mkdir(parents=True, exist_ok=True)
            (folder / "links.csv").write_text(report_csv(own_links), encoding="utf-8")
            for link in own_links:
                (folder / "qr" / f"{link.code}.svg").write_bytes(qr_svg(link.short_url))
        log.info("Campaigns: %d landing pages, %d tracked links", len(self.pages), len(self.links))


def _content_plugin(config: MkDocsConfig) -> ContentPlugin:
    plugin = config.plugins.get(CONTENT_PLUGIN)
    if not isinstance(plugin, ContentPlugin) or plugin.site is None:
        raise PluginError("leadpress/campaigns needs `- leadpress/content` in `plugins:` too")
    return plugin


def _form_names(folder: Path) -> set[str]:
    """Names of the forms defined in campaigns/forms.yml (a mapping of name to form)."""
    path = folder / "forms.yml"
    if not path.is_file():
        return set()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    forms = data.get("forms", data) if isinstance(data, dict) else {}
    return {str(name) for name in forms} if isinstance(forms, dict) else set()
