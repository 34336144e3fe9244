"""`leadpress/publish`: the last step of a build. Minifies, fingerprints the site's own
assets, optionally pre-compresses, and writes `_headers` and the one `_redirects`."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from ..paths import TEMPLATES_DIR
from ..publish.fingerprint import FingerprintError
from ..publish.headers import CSP_DIRECTIVES, HEADERS
from ..publish.redirects import REDIRECTS, duplicate_sources, write_redirects
from ..publish.site import PublishError, PublishSettings, publish_site

log = get_plugin_logger(__name__)

SEARCH_PLUGIN = "leadpress/search"
FORMS_PLUGIN = "leadpress/forms"
PRECOMPRESS_ENV = "LEADPRESS_PRECOMPRESS"  # set by `leadpress build --precompress`
_SOURCE = re.compile(r"^[^\s;,]+$")


class PublishConfig(Config):
    # Smaller pages, stylesheets and scripts.
    minify = opt.Type(bool, default=True)
    # Content hashes in the names of the site's own assets under assets/.
    fingerprint = opt.Type(bool, default=True)
    # Files under assets/ that keep their names anyway (glob patterns, e.g. assets/pdf/*).
    fingerprint_keep = opt.ListOfItems(opt.Type(str), default=[])
    # .gz and .br copies of text files (also LEADPRESS_PRECOMPRESS=1 or --precompress).
    precompress = opt.Type(bool, default=False)
    precompress_min_size = opt.Type(int, default=1024)  # bytes
    # _headers: Content-Security-Policy, security headers, Cache-Control.
    headers = opt.Type(bool, default=True)
    # More sources per CSP directive, e.g. {frame-src: [https://www.youtube-nocookie.com]}.
    csp_extra = opt.Type(dict, default={})
    # Also hash JSON-LD and other data blocks (browsers never run them; CSP ignores them).
    csp_hash_data_blocks = opt.Type(bool, default=False)


class PublishPlugin(BasePlugin[PublishConfig]):
    supports_multiple_instances = False
    page_cache_safe = True  # nothing kept per page (see leadpress/buildcache)

    def __init__(self) -> None:
        self.serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # A preview is rebuilt on every save: minifying and hashing it only slows that down.
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.csp_extra = _csp_extra(self.config.csp_extra)
        if self.config.precompress_min_size < 0:
            raise ConfigurationError(
                "leadpress/publish: precompress_min_size: must be 0 or more bytes, "
                "e.g. `precompress_min_size: 1024`"
            )
        return config

    @event_priority(-200)  # after every other on_post_build: feeds, sitemap, forms.json, audit
    def on_post_build(self, config: MkDocsConfig) -> None:
        site = Path(config.site_dir)
        write_site_redirects(config)
        if self.serving:
            return
        forms = config.plugins.get(FORMS_PLUGIN)
        service_url = getattr(forms, "service_url", None)
        own_headers = Path(config.docs_dir, HEADERS)
        settings = PublishSettings(
            site_url=config.site_url or "/",
            minify=self.config.minify,
            fingerprint=self.config.fingerprint,
            precompress=self.config.precompress or os.environ.get(PRECOMPRESS_ENV) == "1",
            headers=self.config.headers,
            keep=_kept(config, self.config.fingerprint_keep),
            service_urls=[service_url] if service_url else [],
            csp_extra=_with_search(self.csp_extra, config),
            csp_hash_data_blocks=self.config.csp_hash_data_blocks,
            own_headers=own_headers.read_text("utf-8") if own_headers.is_file() else None,
            precompress_min_size=self.config.precompress_min_size,
        )
        try:
            self.report = publish_site(site, settings)
        except (PublishError, FingerprintError) as error:
            raise PluginError(f"leadpress/publish: {error}") from None
        for warning in self.report.warnings:
            log.warning(warning)
        log.info(self.report.summary())


def write_site_redirects(config: MkDocsConfig) -> str:
    """Write site/_redirects from content/_redirects and every plugin that contributes rules
    (a `redirect_lines()` method), once per build, whichever plugin calls it."""
    contributed = {
        name: plugin.redirect_lines()
        for name, plugin in config.plugins.items()
        if callable(getattr(plugin, "redirect_lines", None))
    }
    text = write_redirects(Path(config.site_dir), Path(config.docs_dir, REDIRECTS), contributed)
    for source in duplicate_sources(text):
        log.warning(
            "_redirects: more than one rule redirects %s; only the first applies "
            "(the site's own content/_redirects comes first)",
            source,
        )
    return text


def _kept(config: MkDocsConfig, patterns: list[str]) -> Callable[[str], bool]:
    """Files that keep their names: the theme's own (Material's scripts load some of them by
    URLs computed at run time) and those the site lists in `fingerprint_keep`."""
    own = {str(TEMPLATES_DIR), config.theme.custom_dir}
    theme_files: set[str] = set()
    for folder in config.theme.dirs:
        if folder in own or not os.path.isdir(folder):
            continue
        root = Path(folder)
        theme_files |= {
            p.relative_to(root).as_posix() for p in (root / "assets").rglob("*") if p.is_file()
        }

    def keep(path: str) -> bool:
        return path in theme_files or any(fnmatch.fnmatch(path, p) for p in patterns)

    return keep


def _with_search(extra: dict[str, list[str]], config: MkDocsConfig) -> dict[str, list[str]]:
    """Pagefind's search runs its index as WebAssembly, which a policy must allow by name
    ('wasm-unsafe-eval' allows compiling WebAssembly only, not JavaScript's eval)."""
    if SEARCH_PLUGIN not in config.plugins:
        return extra
    scripts = extra.get("script-src", [])
    return {**extra, "script-src": [*scripts, "'wasm-unsafe-eval'"]}


def _csp_extra(value: dict) -> dict[str, list[str]]:
    example = "e.g. `csp_extra: {frame-src: [https://www.youtube-nocookie.com]}`"
    extra: dict[str, list[str]] = {}
    for directive, sources in value.items():
        if directive not in CSP_DIRECTIVES:
            known = ", ".join(CSP_DIRECTIVES)
            raise ConfigurationError(
                f"leadpress/publish: csp_extra: {directive!r} is not a CSP directive "
                f"Leadpress writes (one of {known}); {example}"
            )
        items = [sources] if isinstance(sources, str) else sources
        if not isinstance(items, list) or not all(
            isinstance(s, str) and _SOURCE.match(s) for s in items
        ):
            raise ConfigurationError(
                f"leadpress/publish: csp_extra.{directive}: expected a list of sources "
                f"without spaces, commas or semicolons, got {sources!r}; {example}"
            )
        extra[directive] = list(items)
    return extra
