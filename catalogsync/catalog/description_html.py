"""Allegro's description HTML: which tags a TEXT item may use, inside which parent, and no
attributes at all (API_NOTES §2: "Invalid tag: "ul", allowed tags: {b, p}", the allowed set
depending on nesting, top level {h1, h2, p, ul, ol}; "Invalid HTML subset").

One table, read by `catalogsync validate` (catalog/offer_checks.py) and by the emulator
(emulator/services/offers/fields.py), so that what the one passes the other takes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

#: Tags allowed inside each parent in a TEXT item (None = top level).
ALLOWED_TAGS: dict[str | None, tuple[str, ...]] = {
    None: ("h1", "h2", "p", "ul", "ol"),
    "h1": (),
    "h2": (),
    "p": ("b",),
    "ul": ("li",),
    "ol": ("li",),
    "li": ("b",),
    "b": (),
}
#: Attributes any tag may carry: none (no style, class, href …).
ALLOWED_ATTRIBUTES: tuple[str, ...] = ()


class HtmlProblem:
    """The first thing of a TEXT item Allegro refuses: a tag where it may not stand, or an
    attribute. `message` is Allegro's wording; `hint` says what to do, for a seller."""

    def __init__(self, message: str, hint: str) -> None:
        self.message, self.hint = message, hint


class _DescriptionHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: HtmlProblem | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1] if self.stack else None
        allowed = ALLOWED_TAGS.get(parent, ())
        if self.problem is None and tag not in allowed:
            where = f"inside <{parent}>" if parent else "at the top level"
            self.problem = HtmlProblem(
                f'Invalid tag: "{tag}", allowed tags: {{{", ".join(allowed)}}}',
                f"<{tag}> is not allowed {where}; Allegro allows there only "
                + (", ".join(f"<{t}>" for t in allowed) or "text"),
            )
        unknown = [name for name, _ in attrs if name not in ALLOWED_ATTRIBUTES]
        if self.problem is None and unknown:
            self.problem = HtmlProblem(
                "Invalid HTML subset",
                f"<{tag}> has the attribute {unknown[0]}; Allegro allows no attributes in a "
                "description (no style, class or links)",
            )
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


#: A tag: what lies between a `<` and the next `>` with no `<` between them.
_TAG = re.compile(r"<[^<>]*>")


def html_problem(content: str) -> HtmlProblem | None:
    """The first tag or attribute the subset does not allow, if any."""
    if "<" not in content:
        return None
    return _tags_problem("".join(_TAG.findall(content)))


@lru_cache(maxsize=1024)
def _tags_problem(tags: str) -> HtmlProblem | None:
    """The verdict on a text's tags alone (its words cannot add a tag): texts of many offers
    share their few shapes (`<h1></h1><p></p>`), so each shape is parsed once."""
    parser = _DescriptionHtml()
    parser.feed(tags)
    parser.close()
    return parser.problem
