"""`leadpress/progress`: how far a long build has got, from MkDocs' page events.

`leadpress build` adds it to every build it runs (not with --quiet); a site may also list
it in `plugins:` to see progress with plain `mkdocs build`. MkDocs reads every page (Markdown
to HTML), then renders every page (templates), then runs the plugins' post-build steps; each
page loop is a phase of a `Progress`, which says nothing on a short build.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import Environment
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..progress import DEFAULT_EVERY, Progress

log = get_plugin_logger(__name__)

NAME = "leadpress/progress"
BUILDCACHE_PLUGIN = "leadpress/buildcache"
# What the slow post-build steps make, by the plugin that makes it.
AFTER_PAGES = {
    "leadpress/feeds": ("feeds",),
    "leadpress/seo": ("the sitemap", "social cards", "the SEO audit"),
    "leadpress/search": ("the search index",),
    "leadpress/publish": ("minified pages",),
}
FIRST, LAST = 1000, -1000  # around every other plugin's work of the same event


class ProgressConfig(Config):
    # Seconds between progress lines; a phase shorter than this says nothing.
    every = opt.Type((int, float), default=DEFAULT_EVERY)


class ProgressPlugin(BasePlugin[ProgressConfig]):
    supports_multiple_instances = False
    page_cache_safe = True  # nothing kept per page (see leadpress/buildcache)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.progress = Progress(log.info, every=float(self.config.every))
        self.rendered_here = 0
        self.rendered_elsewhere: Callable[[], int] = lambda: 0
        return config

    @event_priority(LAST)  # after the build cache has converted pages in its pool
    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # Pages the build cache reuses are neither read nor rendered: they say unmodified.
        self.pages = sum(1 for file in files.documentation_pages() if file.is_modified())
        self.progress.begin("Reading pages", self.pages)
        return nav

    @event_priority(LAST)  # the last step of reading a page
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        self.progress.step()
        return html

    @event_priority(LAST)
    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        self.progress.end()
        # Counted again: the build cache may have handed pages to a helper process.
        rendering = sum(1 for file in files.documentation_pages() if file.is_modified())
        self.progress.begin("Rendering pages", rendering)
        # Pages a helper process renders count too (see leadpress/buildcache).
        self.rendered_elsewhere = getattr(
            config.plugins.get(BUILDCACHE_PLUGIN), "rendered_elsewhere", lambda: 0
        )
        return env

    @event_priority(LAST)  # the page is rendered; MkDocs writes it next
    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self.rendered_here += 1
        self.progress.step(self.rendered_here + self.rendered_elsewhere())
        return output

    @event_priority(FIRST)
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.progress.end(self.rendered_here + self.rendered_elsewhere())
        steps = [what for name in config.plugins for what in AFTER_PAGES.get(name, ())]
        if steps and self.progress.long:
            log.info("Writing %s…", _listed(steps))


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def with_progress(config: MkDocsConfig, every: float) -> None:
    """Add the plugin to a loaded config, unless the site lists it already."""
    if NAME not in config.plugins:
        plugin = ProgressPlugin()
        errors, warnings = plugin.load_config({"every": every})
        assert not errors and not warnings, (errors, warnings)
        config.plugins[NAME] = plugin
