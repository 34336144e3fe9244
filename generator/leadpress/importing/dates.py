"""Publication dates as sources write them: `2013-8-25`, `2013年5月7日`, `May 7, 2013`."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_NUMERIC = re.compile(
    rf"(?<!\d){_YEAR}\s*(?:[-/.]|年)\s*(?P<m>\d{{1,2}})\s*(?:[-/.]|月)\s*(?P<d>\d{{1,2}})(?!\d)"
)
_MONTH_NAME = r"(?P<mon>[A-Za-z]{3,9})\.?"
_ENGLISH = re.compile(
    rf"\b{_MONTH_NAME}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>[A-Za-z]{{3,9}})\.?,?\s+(?P<y2>(?:19|20)\d\d)\b"
)
# A line that is only a date, perhaps with a label: `日期:/2013-8-25`, `发布时间：2021年10月17日`.
_LABEL = (
    r"(?:日期|时间|時間|发布时间|發佈時間|发布日期|發布日期|发表时间|更新时间|date|published"
    r"|posted on|posted|updated)?"
)
_TIME = r"\s*T?\d{1,2}:\d{2}(?::\d{2})?"


def _make(year: str, month: str | int, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first calendar date written in `text`, or None."""
    match = _NUMERIC.search(text)
    if match:
        found = _make(match["y"], match["m"], match["d"])
        if found:
            return found
    for match in _ENGLISH.finditer(text):
        month = _MONTHS.get((match["mon"] or match["mon2"] or "").lower())
        if month:
            found = _make(match["y"] or match["y2"], month, match["d"] or match["d2"])
            if found:
                return found
    return None


def date_line(line: str) -> date | None:
    """The date when `line` says nothing but a date (with an optional label and time)."""
    line = line.strip()
    found = find_date(line)
    if found is None:
        return None
    rest = _NUMERIC.sub("", line, count=1)
    rest = _ENGLISH.sub("", rest, count=1) if rest == line else rest
    rest = re.sub(_TIME, "", rest, count=1)
    rest = re.sub(r"^\s*" + _LABEL + r"\s*[:：/]*\s*", "", rest, flags=re.IGNORECASE)
    return found if not rest.strip(" \t:：/|日号號") else None


def split_date(year_line: str, rest_line: str) -> date | None:
    """A date split over two lines by a page layout: `2021` then `10-17` (or `10月17日`)."""
    if not re.fullmatch(_YEAR, year_line.strip()):
        return None
    match = re.fullmatch(r"(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?", rest_line.strip())
    return _make(year_line.strip(), match[1], match[2]) if match else None
