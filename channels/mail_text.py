"""Mail text: an HTML body as plain text, and the new part of a reply (quoted history and
signatures cut off, in English and Malay). Pure string work, no MIME: ``mail_parse`` walks the
message and hands its body here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_PARAGRAPH_TAGS = {"p", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5"}
_LINE_TAGS = {"div", "li", "tr", "h6", "dt", "dd"}
_SKIP_TAGS = {"script", "style", "head", "title", "template", "noscript"}


class _HtmlText(HTMLParser):
    """Collects text; <br>/<div>/<li> end a line, <p> a paragraph; <blockquote> lines get "> "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.quoted = False
        self.skip = 0
        self.quote_depth = 0

    def flush(self, force: bool = False) -> None:
        text = re.sub(r"[ \t\xa0]+", " ", "".join(self.line)).strip()
        if text or force:
            self.lines.append(("> " + text) if self.quoted and text else text)
        self.line, self.quoted = [], False

    def paragraph(self) -> None:
        self.flush()
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self.flush(force=True)
        elif tag in _LINE_TAGS or tag in _PARAGRAPH_TAGS:
            self.paragraph() if tag in _PARAGRAPH_TAGS else self.flush()
            self.quote_depth += tag == "blockquote"
            if tag == "li":
                self.line.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _LINE_TAGS or tag in _PARAGRAPH_TAGS:
            self.paragraph() if tag in _PARAGRAPH_TAGS else self.flush()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.line.append(data.replace("\n", " ").replace("\r", " "))
        self.quoted = self.quoted or (self.quote_depth > 0 and bool(data.strip()))


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: no tags, no script/style, entities decoded, breaks kept."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    parser.flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(parser.lines)).strip()


_REPLY_HEADER = re.compile(
    r"^\s*(on\s.+\swrote:|pada\s.+\smenulis:"
    r"|-{2,}\s*(original message|mesej asal|forwarded message|mesej dimajukan)\s*-{2,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|daripada)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(sent|dihantar|date|tarikh)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(-- ?|sent from my .+|dihantar dari .+|get outlook for .+|sent from (yahoo|mail) .*)$",
    re.IGNORECASE,
)


def _reply_cut(lines: list[str]) -> int:
    """Index of the first line of quoted history or signature; len(lines) when there is none."""
    for i, line in enumerate(lines):
        joined = line + " " + (lines[i + 1] if i + 1 < len(lines) else "")
        if _REPLY_HEADER.match(line) or (
            re.match(r"^\s*(on|pada)\s", line, re.I) and _REPLY_HEADER.match(joined)
        ):
            return i
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_SENT.match(n) for n in lines[i + 1 : i + 4]):
            separator = i > 0 and re.fullmatch(r"\s*[_-]{5,}\s*", lines[i - 1])
            return i - 1 if separator else i
        if _SIGNATURE.match(line.rstrip("\r")):
            return i
    return len(lines)


def clean_reply(text: str) -> str:
    """The new part of a reply: quoted history, "> " lines and signatures removed."""
    lines = text.split("\n")
    kept = [line for line in lines[: _reply_cut(lines)] if not line.lstrip().startswith(">")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return cleaned or text.strip()
