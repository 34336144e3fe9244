"""A site's tracked links read straight from its config and campaign files, no build needed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.config import load_config

from ..problems import Problem
from .links import TrackedLink, build_links
from .loading import load_campaigns

CAMPAIGNS_PLUGIN = "leadpress/campaigns"
CONTENT_PLUGIN = "leadpress/content"


class CampaignsNotReady(Exception):
    """The site has no campaigns plugin or no site_url to build links from."""


@dataclass(frozen=True)
class SiteLinks:
    links: list[TrackedLink]
    problems: list[Problem]


def site_links(config_file: str | None) -> SiteLinks:
    config = load_config(config_file)
    plugin = config.plugins.get(CAMPAIGNS_PLUGIN)
    if plugin is None:
        raise CampaignsNotReady(
            "this site has no campaigns: add `- leadpress/campaigns` to `plugins:` in mkdocs.yml"
        )
    if not config.site_url:
        raise CampaignsNotReady(
            "site_url: tracked links are absolute; add e.g. `site_url: https://www.example.com/`"
        )
    site_url = config.site_url if config.site_url.endswith("/") else config.site_url + "/"
    content = config.plugins.get(CONTENT_PLUGIN)
    zone = ZoneInfo(content.config.timezone) if content is not None else ZoneInfo("UTC")
    base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    folder = base / plugin.config.campaigns_dir
    shown = os.path.relpath(folder, Path.cwd()).replace(os.sep, "/")
    files, problems = load_campaigns(folder, shown, zone)
    if problems:
        return SiteLinks([], problems)
    links, problems = build_links(files, site_url, plugin.config.allowed_hosts)
    return SiteLinks(links, problems)
