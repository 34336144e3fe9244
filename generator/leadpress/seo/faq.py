"""Questions and answers of a page's FAQ section, for FAQPage structured data.

A marketer writes an FAQ the natural way: a heading such as "FAQ", "Frequently asked
questions" or "常见问题", then each question as a smaller heading (or a collapsible
`??? question "…"` block) followed by its answer.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .structured_data import Question

FAQ_HEADING = re.compile(
    r"^\s*(faqs?|frequently asked questions|questions (and|&) answers|q\s*&\s*a"
    r"|常见问题(解答)?|常见问答|问与答|问答)\s*[:：]?\s*$",
    re.IGNORECASE,
)
# A word every FAQ heading contains: a page without any is not parsed at all (most pages).
# Plain substring tests of the lowered text: a case-blind regular expression of these
# alternatives tries each at every character, ten times slower on a long page.
_FAQ_WORDS = ("faq", "questions", "常见问", "问与答", "问答")
_Q_AND = re.compile(r"q\s*&")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _text(element: etree._Element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip().rstrip("¶").strip()


def _html(elements: list[etree._Element]) -> str:
    return "".join(
        lxml.html.tostring(e, encoding="unicode", with_tail=False).strip() for e in elements
    )


def _may_have_faq(html: str) -> bool:
    lowered = html.lower()
    return any(word in lowered for word in _FAQ_WORDS) or _Q_AND.search(lowered) is not None


def extract_faq(body_html: str) -> list[Question]:
    if not _may_have_faq(body_html):
        return []
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    questions: list[Question] = []
    # The FAQ heading may sit inside a section (as on landing pages); its questions follow it.
    for element in root.iter(*_HEADINGS):
        if not FAQ_HEADING.match(_text(element)):
            continue
        level = int(element.tag[1])
        question: str | None = None
        answer: list[etree._Element] = []
        for child in element.itersiblings():
            if child.tag in _HEADINGS and int(child.tag[1]) <= level:
                break  # the FAQ section ends at the next heading of its level
            if child.tag in _HEADINGS:
                if question and answer:
                    questions.append(Question(question, _html(answer)))
                question, answer = _text(child), []
            elif child.tag == "details" and (summary := child.find("summary")) is not None:
                if question and answer:
                    questions.append(Question(question, _html(answer)))
                question, answer = None, []
                body = [c for c in child if c is not summary]
                if _text(summary) and body:
                    questions.append(Question(_text(summary), _html(body)))
            elif question:
                answer.append(child)
        if question and answer:
            questions.append(Question(question, _html(answer)))
        break
    return questions
