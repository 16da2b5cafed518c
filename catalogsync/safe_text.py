"""Text from a catalog or from Allegro, made safe for where it is shown.

Such text is untrusted: a pull request writes the catalog, anyone with access to the account
writes offer names. Shown raw, a control character moves the cursor or retitles a terminal
(ESC, OSC, BEL), a bidirectional override reorders what a reviewer reads, a zero-width
character hides a difference, and a newline with a code fence or `</details>` ends a block of a
Markdown comment early. So each value is escaped for its destination:

- `visible` (terminal text, lines of a code block): every control, format (bidi, zero-width)
  and line-separator character is written as an escape (`\\n`, `\\x1b`, `\\u202e`);
- `md_inline` (Markdown outside code): `visible`, then Markdown and HTML punctuation escaped
  with a backslash and `@mentions` broken;
- `md_code` (a Markdown code span) and `fence` (a code block that no line can close).
"""

from __future__ import annotations

import re
import unicodedata

#: Unicode categories never shown raw: controls, format characters (bidi overrides and
#: isolates, zero-width spaces and joiners, the BOM …), line and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: ASCII punctuation CommonMark lets a backslash escape that could start markup inline
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]{}()<>#|~&!])")
_BACKTICKS = re.compile(r"`+")
#: what GitHub turns into a mention or a team ping: @ before a letter or digit
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_WORD_JOINER = "\u2060"


def hidden(char: str) -> bool:
    """A character a terminal or a browser does not show as itself."""
    return unicodedata.category(char) in _HIDDEN_CATEGORIES


def hidden_characters(text: str) -> list[str]:
    """The hidden characters of `text`, as `visible` writes them, in order, each once."""
    if text.isprintable():  # Python's non-printables include every hidden category
        return []
    return list(dict.fromkeys(_escape(c) for c in text if hidden(c)))


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else (
        f"\\U{code:08x}"
    )


def visible(text: str, *, newlines: bool = False) -> str:
    """`text` with every hidden character escaped (newlines kept when `newlines`)."""
    if text.isprintable():
        return text  # the common case, quickly: no hidden category is printable
    return "".join(
        _escape(c) if hidden(c) and not (newlines and c == "\n") else c for c in text
    )


def md_inline(text: str) -> str:
    """`text` for Markdown outside code: one line, no markup, no HTML, no mentions."""
    escaped = _MD_PUNCTUATION.sub(r"\\\1", visible(text))
    return _MENTION.sub("@" + _WORD_JOINER, escaped)


def md_code(text: str) -> str:
    """`text` as a Markdown code span (in a table cell too: `|` is escaped)."""
    shown = visible(text).replace("|", "\\|")
    ticks = "`" * (_longest_backticks(shown) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{ticks}{pad}{shown}{pad}{ticks}"


def fence(lines: list[str], info: str = "", least: int = 3) -> list[str]:
    """`lines` (each already one visible line) as a fenced code block that none can close."""
    longest = max((_longest_backticks(line) for line in lines), default=0)
    ticks = "`" * max(least, longest + 1)
    return [ticks + info, *lines, ticks]


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)
