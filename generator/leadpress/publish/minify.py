"""Smaller HTML, CSS and JavaScript with the same meaning.

HTML goes through minify-html, with the settings that keep a page parsed the same by every
parser (closing tags, `<html>` and `<head>`, `type="text"`), its inline CSS minified too.
JavaScript, inline or in files, goes through rjsmin, which only removes comments and
whitespace: minify-html's own JS minifier rewrites code, and a page's inline scripts share
globals with the theme's bundle, so renaming or dropping a `var` there could break it. CSS
files go through rcssmin. `<pre>`, `<textarea>` and `<code>` keep their whitespace, and
JSON-LD and other data blocks are left exactly as they are.
"""

from __future__ import annotations

import re

import minify_html
import rcssmin
import rjsmin

# An inline script: no src, and a JavaScript type (or none). Data blocks (JSON-LD, Material's
# __config) and external scripts do not match. Script text cannot contain "</script".
INLINE_SCRIPT = re.compile(r"(<script\b([^>]*)>)(.*?)(</script\s*>)", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
JAVASCRIPT_TYPES = frozenset(
    {"", "module", "text/javascript", "application/javascript", "text/ecmascript"}
)


def minify_css(text: str) -> str:
    return rcssmin.cssmin(text)


def minify_js(text: str) -> str:
    return rjsmin.jsmin(text).strip()


def has_src(attributes: str) -> bool:
    return bool(_SRC.search(attributes))


def is_executable(attributes: str) -> bool:
    """Whether a `<script>` with these attributes runs inline code (not src, not data)."""
    if has_src(attributes):
        return False
    match = _TYPE.search(attributes)
    return (match.group(1).lower() if match else "") in JAVASCRIPT_TYPES


def minify_page(html: str) -> str:
    """A page with the same meaning and fewer bytes."""
    smaller = minify_html.minify(
        html,
        keep_closing_tags=True,
        keep_html_and_head_opening_tags=True,
        keep_input_type_text_attr=True,
        minify_css=True,
        minify_js=False,
    )

    def script(match: re.Match[str]) -> str:
        opening, attributes, body, closing = match.groups()
        if not body.strip() or not is_executable(attributes):
            return match.group(0)
        return opening + minify_js(body) + closing

    return INLINE_SCRIPT.sub(script, smaller)
