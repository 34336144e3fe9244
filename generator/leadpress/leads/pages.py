"""What the service says to people: its messages in each language, and the two HTML pages a
browser without JavaScript sees (the thank-you message and the list of what to correct).

Every text that came from a request (field names, the Referer) is escaped before it is
placed in a page.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from ..forms.models import Form, text_in

LANGUAGES = ("en", "zh")

MESSAGES = {
    "en": {
        "unknown_form": "There is no form called {form}.",
        "forbidden_origin": "Submissions are accepted only from the site's own pages.",
        "rate_limited": "Too many submissions from your network; please try again in "
        "{seconds} seconds.",
        "unsupported_media_type": "Send the form as JSON or as a URL-encoded form.",
        "too_large": "The submission is too large (at most {limit} bytes).",
        "bad_request": "The submission could not be read: {detail}",
        "invalid": "Please correct the following and send the form again.",
        "too_fast": "The form was sent too quickly after it appeared; please check your "
        "answers and send it again.",
        "busy": "The service is busy; please try again in a moment.",
        "unavailable": "The submission could not be saved; please try again in a moment.",
        "error_title": "Your submission was not sent",
        "back": "Back to the form",
        "thanks_title": "Thank you",
        "home": "Back to the site",
    },
    "zh": {
        "unknown_form": "没有名为 {form} 的表单。",
        "forbidden_origin": "仅接受来自本站页面的提交。",
        "rate_limited": "您的网络提交次数过多，请在 {seconds} 秒后重试。",
        "unsupported_media_type": "请以 JSON 或 URL 编码表单的格式提交。",
        "too_large": "提交内容过大（最多 {limit} 字节）。",
        "bad_request": "无法读取提交内容：{detail}",
        "invalid": "请修改以下内容后重新提交。",
        "too_fast": "表单提交过快，请检查填写内容后重新提交。",
        "busy": "服务繁忙，请稍后重试。",
        "unavailable": "提交未能保存，请稍后重试。",
        "error_title": "提交未成功",
        "back": "返回表单",
        "thanks_title": "提交成功",
        "home": "返回网站",
    },
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1b1b1b}a{color:#1f4bd8}li{margin:.3rem 0}"
)
# The pages load nothing and run nothing; a form field name cannot become markup or script.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def message(lang: str, key: str, **values: object) -> str:
    return MESSAGES.get(lang, MESSAGES["en"])[key].format(**values)


def pick_language(*candidates: str | None) -> str:
    """The first candidate that is a language the service speaks (`zh-CN` counts as zh)."""
    for candidate in candidates:
        base = (candidate or "").strip().lower().split("-")[0]
        if base in LANGUAGES:
            return base
    return "en"


def accept_language(header: str) -> str | None:
    """The supported language the browser prefers most, from Accept-Language."""
    best: tuple[float, str] | None = None
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, base)
    return best[1] if best else None


def _page(lang: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def thank_you_page(form: Form, lang: str, site_url: str) -> str:
    text = text_in(form.thank_you.message, lang) or message(lang, "thanks_title")
    return _page(
        lang,
        text_in(form.title, lang) or message(lang, "thanks_title"),
        f"<h1>{escape(message(lang, 'thanks_title'))}</h1><p>{escape(text)}</p>"
        f'<p><a href="{escape(site_url)}">{escape(message(lang, "home"))}</a></p>',
    )


def error_page(lang: str, summary: str, details: list[str], back_url: str) -> str:
    items = "".join(f"<li>{escape(detail)}</li>" for detail in details)
    return _page(
        lang,
        message(lang, "error_title"),
        f"<h1>{escape(message(lang, 'error_title'))}</h1><p>{escape(summary)}</p>"
        + (f"<ul>{items}</ul>" if items else "")
        + f'<p><a href="{escape(back_url)}">{escape(message(lang, "back"))}</a></p>',
    )


def origin_of(url: str) -> str | None:
    """`https://host[:port]` of an absolute http(s) URL, lowercased; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()
