"""Letters from templates to PDF.

Two guards keep a letter to what is in it. Template bodies (built in, or written by an LA admin
or a headteacher) run in a restricted template engine that knows only a few harmless tags and
filters: no {% load %}, no {% include %}, no access to files or code. And WeasyPrint gets a URL
fetcher that reads only the letters' own stylesheet: no other file, no network. Everything a
user typed is escaped.
"""

import hashlib
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher

LETTER_ASSETS = Path(__file__).resolve().parent / "static" / "letters"
BUILTIN = Path(__file__).resolve().parent / "builtin"

# --- the restricted template engine ------------------------------------------------------

# --- the work a template may do ------------------------------------------------------------

# A letter repeats a handful of things (objectives, parents, conditions): a few thousand
# repetitions, a megabyte of text and two seconds are far beyond any real letter, and stop a
# loop inside a loop long before it holds a worker.
MAX_REPETITIONS = 5_000
MAX_OUTPUT_CHARACTERS = 1_000_000
MAX_SECONDS = 2.0


class TooMuchWork(Exception):
    """The wording asked for more work than any letter needs."""

    def __init__(self, what: str):
        super().__init__(
            f"This wording makes Pact {what}, so it was stopped. A letter needs far less: look "
            "for a {% for %} inside another {% for %}.")


@dataclass
class _Budget:
    repetitions: int = MAX_REPETITIONS
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)

    def spend(self) -> None:
        self.repetitions -= 1
        if self.repetitions < 0:
            raise TooMuchWork(f"repeat something more than {MAX_REPETITIONS:,} times")
        if time.monotonic() > self.deadline:
            raise TooMuchWork(f"work for more than {MAX_SECONDS:g} seconds")


class _Counted(list):
    """A {% for %} loop's items, each repetition charged to the letter's budget."""

    def __init__(self, values, budget: _Budget):
        super().__init__(values)
        self.budget = budget

    def __iter__(self):
        for item in super().__iter__():
            self.budget.spend()
            yield item

    def __reversed__(self):
        for item in super().__reversed__():
            self.budget.spend()
            yield item


class _CountedSequence:
    """Stands in for a loop's sequence: resolves it, then counts every repetition."""

    def __init__(self, sequence):
        self.sequence = sequence

    def resolve(self, context, ignore_failures=False):
        values = self.sequence.resolve(context, ignore_failures=ignore_failures)
        if values is None:
            return values
        return _Counted(values, context.letter_budget)

    def __str__(self):
        return str(self.sequence)


def _counted_for(parser, token):
    node = defaulttags.do_for(parser, token)
    node.sequence = _CountedSequence(node.sequence)
    return node


SAFE_TAGS = {
    **{name: defaulttags.register.tags[name] for name in ("if", "with", "firstof", "comment")},
    "for": _counted_for,
}
SAFE_FILTERS = [
    "date", "time", "default", "default_if_none", "upper", "lower", "title", "capfirst",
    "linebreaks", "linebreaksbr", "join", "length", "pluralize", "yesno", "first", "last",
]
ALLOWED_BLOCK_WORDS = set(SAFE_TAGS) | {
    "elif", "else", "endif", "empty", "endfor", "endwith", "endcomment",
}

safe_library = Library()
for _name, _compile in SAFE_TAGS.items():
    safe_library.tag(_name, _compile)
for _name in SAFE_FILTERS:
    safe_library.filter(_name, defaultfilters.register.filters[_name])


class LetterEngine(Engine):
    """Django's template language with only the tags and filters above: no loaders, no tag
    libraries, so {% load %}, {% include %} and {% extends %} do not exist here."""

    default_builtins: list[str] = []

    def __init__(self):
        super().__init__(loaders=[], libraries={}, autoescape=True, debug=False)
        self.template_builtins = [safe_library]


ENGINE = LetterEngine()

# Things a letter never needs and a template must not contain: references to files or the
# web, or HTML that fetches or runs something.
_REFUSED_PATTERNS = [
    (re.compile(r"\b(file|https?|ftp|data)\s*:", re.I), "a file or web address ({})"),
    (re.compile(r"<\s*(img|link|script|style|iframe|frame|object|embed|base|svg|video|audio"
                r"|source|track|picture|input|form|meta|applet|portal)\b", re.I),
     "an HTML element that loads or runs something ({})"),
    (re.compile(r"\b(src|srcset|href|poster|action|formaction|background|data|ping)\s*=", re.I),
     "an address in an attribute ({})"),
    (re.compile(r"\burl\s*\(", re.I), "a stylesheet address ({})"),
    (re.compile(r"\bstyle\s*=", re.I), "inline styling ({})"),
]


def template_problems(body: str, *, names: set[str]) -> list[str]:
    """What Pact refuses in a letter template, in words for the person editing it."""
    problems = []
    for pattern, message in _REFUSED_PATTERNS:
        for match in pattern.finditer(body):
            problems.append("It contains " + message.format(match.group(0).strip()))
    loop_names: set[str] = set()
    for token in Lexer(body).tokenize():
        words = token.split_contents() if token.token_type != TokenType.TEXT else []
        if token.token_type == TokenType.BLOCK and not words:
            problems.append(f"An empty {{% %}} on line {token.lineno}.")
        elif token.token_type == TokenType.BLOCK:
            if words[0] not in ALLOWED_BLOCK_WORDS:
                problems.append(
                    f"{{% {words[0]} %}} is not allowed in letters (line {token.lineno}): "
                    f"use only {', '.join(sorted(SAFE_TAGS))}."
                )
            if words[0] == "for":
                loop_names.update(w.rstrip(",") for w in words[1:words.index("in")]
                                  if "in" in words)
            if words[0] == "with":
                loop_names.update(w.split("=")[0] for w in words[1:] if "=" in w)
        elif token.token_type == TokenType.VAR:
            variable = token.contents.split("|")[0].strip()
            top = variable.split(".")[0]
            if top and top[0] not in "\"'0123456789" and top not in names | loop_names:
                problems.append(f"{{{{ {variable} }}}} is not something a letter knows "
                                f"(line {token.lineno}).")
    if not problems:
        try:
            ENGINE.from_string(body)
        except TemplateSyntaxError as error:
            problems.append(f"The template does not read correctly: {error}")
    return list(dict.fromkeys(problems))


# What a letter's own wording may produce: text in paragraphs, headings, lists and tables.
# Checked on the rendered result, whatever the template's source looked like.
ALLOWED_ELEMENTS = frozenset({
    "p", "br", "h1", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "ul", "ol", "li",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div", "span",
    "blockquote", "hr", "small", "sup", "sub", "abbr",
})
ALLOWED_ATTRIBUTES = frozenset({"class", "lang", "scope", "colspan", "rowspan", "title"})


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_ELEMENTS:
            self.problems.append(f"It produces an element letters do not use: <{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES or re.search(r"[:(\\]", value or ""):
                self.problems.append(
                    f"It produces an attribute letters do not use: {name}=\"{value}\" "
                    f"on <{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_decl(self, decl):
        self.problems.append("It produces a declaration letters do not use")

    def handle_pi(self, data):
        self.problems.append("It produces an instruction letters do not use")


def markup_problems(html: str) -> list[str]:
    """What a rendered letter body contains beyond text in plain markup: an element or an
    attribute that could load, run or restyle anything. Text is never judged: a parent's
    words may mention a web address, and are printed, escaped, as words."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.problems))


def render_body(body: str, context: dict, *, language: str) -> str:
    """The letter's wording with its facts, within the work any letter needs (TooMuchWork
    past it)."""
    rendering = Context(context, autoescape=True)
    rendering.letter_budget = _Budget()
    with translation.override(language):
        html = ENGINE.from_string(body).render(rendering)
    if len(html) > MAX_OUTPUT_CHARACTERS:
        raise TooMuchWork(f"write more than {MAX_OUTPUT_CHARACTERS:,} characters")
    return html


# --- the PDF -----------------------------------------------------------------------------

class LetterFetcher(URLFetcher):
    """Reads the letters' own assets and nothing else (and, for an evidence pack's exhibit,
    the one image it places); remembers everything it refused."""

    def __init__(self, *, also: frozenset[Path] = frozenset()):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.refused: list[str] = []
        self.also = also

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if (path.parent == LETTER_ASSETS or path in self.also) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        self.refused.append(url)
        raise ValueError(f"Letters may not load {url}")


@dataclass
class RenderedLetter:
    html: str
    pdf: bytes
    page_count: int
    refused: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def letter_html(*, layout: dict, bodies: list[tuple[str, str]]) -> str:
    """The whole letter as HTML: the trusted layout around each rendered body (one body per
    language: a bilingual letter has the Welsh first)."""
    return render_to_string("letters/letter.html", {
        **layout, "bodies": [(lang, mark_safe(html)) for lang, html in bodies],  # noqa: S308
    })


def render_pdf(html: str) -> RenderedLetter:
    fetcher = LetterFetcher()
    document = HTML(
        string=html, base_url=LETTER_ASSETS.as_uri() + "/", url_fetcher=fetcher
    ).render()
    pdf = document.write_pdf(pdf_variant="pdf/a-3u")
    return RenderedLetter(html=html, pdf=pdf, page_count=len(document.pages),
                          refused=fetcher.refused)


def render_pages(html: str, *, images: frozenset[Path] = frozenset()):
    """Pages Pact writes for an evidence pack (its cover, index, chronology, tables, an
    exhibit's image), laid out with the letters' own stylesheets: the WeasyPrint document,
    for its pages and the links on them."""
    return HTML(string=html, base_url=LETTER_ASSETS.as_uri() + "/",
                url_fetcher=LetterFetcher(also=images)).render()
