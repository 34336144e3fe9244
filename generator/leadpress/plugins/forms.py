"""`leadpress/forms`: forms from `campaigns/forms.yml` embedded in pages, the form script,
and `site/forms.json` for the lead service."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..buildcache.pages import hash_files
from ..content.urls import relative_url
from ..forms.loading import forms_json, load_forms, site_origins
from ..forms.models import Form, ThankYou
from ..forms.render import form_html
from ..problems import Problem, format_problems
from .content import ContentPlugin

log = get_plugin_logger(__name__)

CONTENT_PLUGIN = "leadpress/content"
CAMPAIGNS_PLUGIN = "leadpress/campaigns"
SCRIPT = "assets/leadpress/forms.js"
FORMS_JSON = "forms.json"
# `::: form demo-request` on a line of its own embeds a form in Markdown.
BLOCK = re.compile(r"^::: *form +([a-z0-9-]+) *$", re.MULTILINE)
# Where a page asks for a form: the Markdown block, a webinar's registration, a landing page.
SLOT = re.compile(r'<div class="lp-form-slot"(?: id="form")? data-leadpress-form="([^"]+)"></div>')


class FormsConfig(Config):
    forms_file = opt.Type(str, default="campaigns/forms.yml")  # beside mkdocs.yml
    # Where the lead service answers; forms post to <service_url>v1/forms/<name>/submissions.
    service_url = opt.Type(str, default="http://127.0.0.1:8787/")
    # Origins besides the site's own that may post (a staging site, for example).
    origins = opt.ListOfItems(opt.Type(str), default=[])
    # How long the first touch of a visitor is kept, in days.
    attribution_days = opt.Type(int, default=90)


class FormsPlugin(BasePlugin[FormsConfig]):
    supports_multiple_instances = False
    # Nothing kept per page: a page's problem fails the build (see leadpress/buildcache).
    page_cache_safe = True

    def __init__(self) -> None:
        self.forms: dict[str, Form] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        url = self.config.service_url
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
            raise ConfigurationError(
                f"leadpress/forms: service_url: {url!r} is not a web address; "
                "e.g. `service_url: https://leads.example.com/`"
            )
        self.service_url = url if url.endswith("/") else url + "/"
        base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        path = base / self.config.forms_file
        shown = os.path.relpath(path, Path.cwd()).replace(os.sep, "/")
        self.forms_file = path
        self.forms, problems = load_forms(path, shown)
        if problems:
            raise PluginError(format_problems(problems))
        self.forms_path = shown
        if self.forms and SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(SCRIPT)
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.problems: list[Problem] = []

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # A thank-you page is named by its Markdown file; the service needs its URL.
        problems = []
        content = _content_plugin(config)
        self.files = files
        self.thank_you_pages: dict[str, str] = {}
        for name, form in list(self.forms.items()):
            page = form.thank_you.page
            if page and page.endswith(".md"):
                target = content.find_page(page, files)
                if target is None:
                    message = (
                        f"no page {page!r} in the content folder; write the page or use "
                        "`thank_you: {message: ...}`"
                    )
                    problems.append(Problem(self.forms_path, f"{name}.thank_you.page", message))
                    continue
                self.thank_you_pages[name] = page
                thanks = ThankYou(page=target.url, message=form.thank_you.message)
                self.forms[name] = form.model_copy(update={"thank_you": thanks})
        if problems:
            raise PluginError(format_problems(problems))
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files):
        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.forms:
                self._unknown(page, name)
            return f'<div class="lp-form-slot" data-leadpress-form="{name}"></div>'

        return BLOCK.sub(slot, markdown)

    @event_priority(-50)  # after the content and campaign plugins have placed the slots
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        lang = self._language(page, config)
        content = _content_plugin(config)

        def render(match: re.Match[str]) -> str:
            name = match.group(1)
            form = self.forms.get(name)
            if form is None:
                self._unknown(page, name)
                return match.group(0)
            # The thank-you and privacy pages in the page's own language, where translated.
            thanks = form.thank_you.page
            if name in self.thank_you_pages:
                thanks = content.find_page(self.thank_you_pages[name], self.files, lang).url
            privacy = content.find_page("privacy.md", self.files, lang)
            return form_html(
                _content_plugin(config).renderer.env,
                form,
                lang=lang,
                action=f"{self.service_url}v1/forms/{name}/submissions",
                thank_you_url=relative_url(thanks, page.url) if thanks else None,
                privacy_url=relative_url(privacy.url, page.url) if privacy else None,
                attribution_days=self.config.attribution_days,
            )

        return SLOT.sub(render, html)

    def _language(self, page: Page, config: MkDocsConfig) -> str:
        content = _content_plugin(config)
        document = content.site.document_for(page.file.src_uri)
        if document is not None:
            return document.lang
        campaigns = config.plugins.get(CAMPAIGNS_PLUGIN)
        landing = getattr(campaigns, "pages", {}).get(page.file.src_uri)
        if landing is not None and landing.campaign.lang:
            return landing.campaign.lang
        return content.settings.default_lang

    def _unknown(self, page: Page, name: str) -> None:
        defined = ", ".join(sorted(self.forms)) or f"none; define forms in {self.forms_path}"
        shown = os.path.relpath(page.file.abs_src_path or page.file.src_uri, Path.cwd())
        self.problems.append(
            Problem(shown.replace(os.sep, "/"), "", f"unknown form {name!r} (forms: {defined})")
        )

    # Taking part in the page cache of leadpress/buildcache -----------------------------------

    def cache_facts(self) -> Any:
        """Pages show the forms as forms.yml defines them."""
        return hash_files([self.forms_file])

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.problems:
            raise PluginError(format_problems(self.problems))
        if not self.forms:
            return
        site_url = config.site_url or ""
        origins = site_origins(site_url, self.config.origins)
        text = forms_json(self.forms, site_url, origins, self.config.attribution_days)
        Path(config.site_dir, FORMS_JSON).write_text(text, encoding="utf-8")
        log.info("Forms: %d, written to %s for the lead service", len(self.forms), FORMS_JSON)


def _content_plugin(config: MkDocsConfig) -> ContentPlugin:
    plugin = config.plugins.get(CONTENT_PLUGIN)
    if not isinstance(plugin, ContentPlugin) or plugin.site is None:
        raise PluginError("leadpress/forms needs `- leadpress/content` in `plugins:` too")
    return plugin
