"""The lead service beside `leadpress serve --leads`, so that a preview's forms submit."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config import load_config
from mkdocs.exceptions import ConfigurationError

from .content.urls import url_of
from .forms.loading import forms_json, load_forms, site_origins
from .forms.models import ThankYou

FORMS_PLUGIN = "leadpress/forms"


def start_lead_service(config_file: str | None, dev_addr: str | None) -> subprocess.Popen:
    """Start `leadpress leads serve` for the site's forms, accepting posts from the preview.

    The forms.json of a real build names only the published site's origin; the preview runs
    on the dev address, so it gets its own forms.json that allows both.
    """
    config = load_config(config_file)
    plugin = config.plugins.get(FORMS_PLUGIN)
    if plugin is None:
        raise ConfigurationError("--leads: this site has no forms; add `- leadpress/forms`")
    base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    path = base / plugin.config.forms_file
    forms, problems = load_forms(path, str(path))
    if problems:
        raise ConfigurationError("\n".join(str(problem) for problem in problems))
    address = dev_addr or f"{config.dev_addr.host}:{config.dev_addr.port}"
    preview = f"http://{address}/"
    for name, form in forms.items():
        page = form.thank_you.page
        if page and page.endswith(".md"):
            thanks = ThankYou(page=url_of(page), message=form.thank_you.message)
            forms[name] = form.model_copy(update={"thank_you": thanks})
    origins = site_origins(preview, [*plugin.config.origins, config.site_url or ""])
    document = forms_json(forms, preview, origins, plugin.config.attribution_days)
    folder = Path(tempfile.mkdtemp(prefix="leadpress-preview-"))
    forms_file = folder / "forms.json"
    forms_file.write_text(document, encoding="utf-8")
    service = urlsplit(plugin.config.service_url)
    command = [
        sys.executable,
        "-m",
        "leadpress.cli",
        "leads",
        "serve",
        "--forms",
        str(forms_file),
        "--host",
        service.hostname or "127.0.0.1",
        "--port",
        str(service.port or 8787),
    ]
    print(f"Lead service for the preview: {' '.join(command[3:])}", file=sys.stderr)
    return subprocess.Popen(command, cwd=base)
