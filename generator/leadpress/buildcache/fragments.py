"""Material's navigation, tabs and search box, rendered once for the pages that share them.

A marketing site keeps its articles out of the nav (they are reached from listings), so on
almost every page these partials come out the same: the nav has no active entry, and each
link in it is written relative to the page, which gives the same text for every page in
the same folder. On a site of a thousand articles they are a third of the theme's work.

The output of a partial is kept under a key of everything it reads that can differ
between pages: the nav (one per language), the theme's language, which nav entries are
active, the theme features, and the folder above the page's own. A page is never served a
kept partial when it is in the nav itself, or when its folder holds a target of the nav
(its links would then be written differently from its neighbours'). Partials a site
overrides in its `custom_dir` are rendered for every page, as they may read anything.

Material's translations (`partials/language.html`) are imported once per language rather
than for every page, and each string asked of them is looked up once.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateNotFound
from jinja2.runtime import Context
from mkdocs.structure.nav import Navigation
from mkdocs.utils import get_theme_dir

# Each partial kept, with every theme template it renders or whose macros it calls: all of
# them must be Material's own for the key above to hold.
SHARED_PARTIALS: dict[str, tuple[str, ...]] = {
    "partials/nav.html": (
        "partials/nav.html",
        "partials/nav-item.html",
        "partials/logo.html",
        "partials/source.html",
        "partials/toc.html",
        "partials/toc-item.html",
        "partials/language.html",
    ),
    "partials/tabs.html": (
        "partials/tabs.html",
        "partials/tabs-item.html",
        "partials/language.html",
    ),
    "partials/search.html": ("partials/search.html", "partials/language.html"),
}

RenderFunction = Callable[[Context], Iterator[str]]
# Material's translations: every page imports it anew ("with context") and asks it for a
# dozen strings, each answered by rendering a table of all of them.
LANGUAGE_PARTIAL = "partials/language.html"


class _NavShape:
    """What of one nav decides whether and how a page can share its partials."""

    def __init__(self, nav: Navigation, config: Any) -> None:
        self.items = list(_walk(nav.items))
        self.page_ids = {id(page) for page in nav.pages}
        # Every folder that holds a link target of these partials, the targets included.
        targets = [getattr(item, "url", None) for item in self.items]
        homepage = nav.homepage.url if nav.homepage is not None else None
        extra_homepage = (config.extra or {}).get("homepage")
        targets += [homepage, extra_homepage, config.theme.get("logo"), config.repo_url]
        self.target_folders: set[str] = set()
        for target in targets:
            if isinstance(target, str):
                self.target_folders.update(_folders_of(target))


def _walk(items: list[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _walk(getattr(item, "children", None) or [])


def _folders_of(url: str) -> Iterator[str]:
    """`a/b/c/` → "a/b/c", "a/b", "a", "": the folder and each folder above it."""
    path = posixpath.normpath("/" + url.split("#")[0].split("?")[0]).strip("/")
    while path:
        yield path
        path = posixpath.dirname(path)
    yield ""


def _page_folder(url: str) -> str:
    """The folder MkDocs writes a page's relative links from (`get_relative_url`): the URL
    itself for `x/y/`, its folder for `x/y.html`."""
    head, tail = posixpath.split(url)
    folder = head if "." in tail else url
    return posixpath.normpath("/" + folder).strip("/")


class SharedPartials:
    """The kept output of each partial in one build (a new environment each build)."""

    def __init__(self) -> None:
        self.shapes: dict[int, _NavShape] = {}
        self.outputs: dict[tuple[Any, ...], str] = {}
        self.rendered = 0
        self.shared = 0
        self.translations: dict[str, Any] = {}  # Material's language module, by language

    def install(self, env: Environment) -> None:
        """Wrap each partial that is Material's own throughout."""
        theme_dir = Path(get_theme_dir("material")).resolve()
        for name, templates in SHARED_PARTIALS.items():
            try:
                template = env.get_template(name)
            except TemplateNotFound:
                continue  # another theme
            if not all(_is_theme_own(env, included, theme_dir) for included in templates):
                continue
            template.root_render_func = self._wrap(name, template.root_render_func)
        self._share_translations(env, theme_dir)

    def _share_translations(self, env: Environment, theme_dir: Path) -> None:
        """Import Material's translations once per language, each string asked once. Its
        module reads nothing of the page but the theme's language: the tables of strings
        it imports see no page. A site that overrides it has it imported for every page."""
        try:
            template = env.get_template(LANGUAGE_PARTIAL)
        except TemplateNotFound:
            return
        if not _is_theme_own(env, LANGUAGE_PARTIAL, theme_dir):
            return
        make_module = template.make_module

        def shared_module(vars: dict[str, Any] | None = None, shared: bool = False, locals=None):
            theme = getattr((vars or {}).get("config"), "theme", None)
            language = theme.get("language") if theme is not None else None
            if not isinstance(language, str):
                return make_module(vars, shared, locals)
            module = self.translations.get(language)
            if module is None:
                module = self.translations[language] = make_module(vars, shared, locals)
                module.t = functools.cache(module.t)
            return module

        template.make_module = shared_module  # type: ignore[method-assign]

    def _wrap(self, name: str, render: RenderFunction) -> RenderFunction:
        def shared(context: Context) -> Iterator[str]:
            key = self.key(name, context)
            if key is None:
                yield from render(context)
                return
            output = self.outputs.get(key)
            if output is None:
                output = self.outputs[key] = "".join(render(context))
                self.rendered += 1
            else:
                self.shared += 1
            yield output

        return shared

    def key(self, name: str, context: Context) -> tuple[Any, ...] | None:
        """What the partial's output depends on for this page; None: render it anew."""
        page, nav, config = context.get("page"), context.get("nav"), context.get("config")
        if page is None or not isinstance(nav, Navigation) or config is None:
            return None
        shape = self.shapes.get(id(nav))
        if shape is None:
            shape = self.shapes[id(nav)] = _NavShape(nav, config)
        if id(page) in shape.page_ids or not isinstance(page.url, str):
            return None
        folder = _page_folder(page.url)
        if folder in shape.target_folders:
            return None
        return (
            name,
            id(nav),
            config.theme.get("language"),
            tuple(bool(getattr(item, "active", False)) for item in shape.items),
            tuple(context.get("features") or ()),
            posixpath.dirname(folder),
        )


def _is_theme_own(env: Environment, name: str, theme_dir: Path) -> bool:
    try:
        filename = env.get_template(name).filename
    except TemplateNotFound:
        return True  # a template this version of Material does not have: never rendered
    return filename is not None and Path(filename).resolve().is_relative_to(theme_dir)
