"""HTML pages: the main content only (no menus, banners, footers, scripts), with its links.

trafilatura finds the main content; its XML output (``head``, ``p``, ``list/item``,
``table/row/cell``, ``ref`` for links) is turned into blocks. When trafilatura finds nothing
(very short pages), a plain lxml walk over the page without its boilerplate elements is the
fallback. Headings become ``heading`` blocks, paragraphs, list items and table rows (cells
joined with `` | ``) become ``body`` blocks carrying the links they contain.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from gcmalign.errors import InputError
from gcmalign.ingest.common import file_sha256, read_bytes, source_links, squash
from gcmalign.ingest.text import decode_text
from gcmalign.layout import finish_document
from gcmalign.model import Block, Document, Page

MAX_HTML_BYTES = 50 * 1024 * 1024

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_MARKUP = re.compile(
    r"<\s*(!doctype|html|head|body|title|meta|main|article|section|div|span|p|h[1-6]|ul|ol|li|"
    r"table|a|br|script|style|nav)\b",
    re.IGNORECASE,
)
# Elements that are never main content, and class/id words that mark boilerplate.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "button", "select", "input", "textarea", "menu", "dialog", "head",
)  # fmt: skip
_BOILERPLATE = re.compile(
    r"cookie|consent|gdpr|banner|navbar|\bnav\b|menu|breadcrumb|footer|sidebar|popup|modal|share|social",
    re.IGNORECASE,
)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _decode(data: bytes, source: str) -> str:
    """Decode like a text file (BOM, UTF-16, UTF-8, Windows-1252), trying the page's declared
    charset first; a declared charset that yields garbage is passed over."""
    head = data[:8192]
    declared = _XML_ENCODING.search(head) or _CHARSET.search(head)
    preferred = None
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            preferred = codecs.lookup(name).name
        except LookupError:
            preferred = None
    return decode_text(data, source, preferred=preferred)[0]


# ---- trafilatura's XML -------------------------------------------------------------------


def _xml_blocks(root: etree._Element) -> list[Block]:
    blocks: list[Block] = []

    def add(kind: str, el: etree._Element, text: str | None = None) -> None:
        text = squash(text if text is not None else "".join(el.itertext()))
        if text:
            links = source_links([r.get("target", "") for r in el.iter("ref")])
            blocks.append(Block(kind=kind, text=text, page=1, links=links))  # type: ignore[arg-type]

    def loose(text: str | None) -> None:
        if text and text.strip():
            blocks.append(Block(kind="body", text=squash(text), page=1))

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "head":
            add("heading", el)
        elif tag == "row":
            cells = [squash("".join(c.itertext())) for c in el if c.tag == "cell"]
            add("body", el, " | ".join(c for c in cells if c))
        elif tag in ("p", "code") or (
            tag in ("item", "quote", "cell") and el.find(".//p") is None and el.find(".//list") is None
        ):
            add("body", el)
        elif tag in ("graphic", "comments"):
            return
        else:
            loose(el.text)
            for child in el:
                walk(child)
                loose(child.tail)

    main = root.find("main")
    walk(main if main is not None else root)
    return blocks


def _trafilatura_blocks(text: str) -> list[Block]:
    import trafilatura

    xml = trafilatura.extract(
        text,
        output_format="xml",
        include_links=True,
        include_formatting=False,
        include_comments=False,
        include_images=False,
        with_metadata=False,  # read once, by _html_metadata
        deduplicate=False,
    )
    if not xml:
        return []
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(recover=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    return _xml_blocks(root)


# ---- fallback: lxml without boilerplate ----------------------------------------------------


def _is_boilerplate(el: lxml_html.HtmlElement) -> bool:
    marks = " ".join(filter(None, (el.get("id"), el.get("class"), el.get("role"))))
    return bool(marks) and bool(_BOILERPLATE.search(marks))


def _fallback_blocks(tree: lxml_html.HtmlElement) -> list[Block]:
    for el in list(tree.iter(*_DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(tree.iter()):
        if isinstance(el.tag, str) and el.getparent() is not None and _is_boilerplate(el):
            el.drop_tree()
    blocks: list[Block] = []

    def add(kind: str, el: lxml_html.HtmlElement, text: str) -> None:
        text = squash(text)
        if text:
            links = source_links([a.get("href", "") for a in el.iter("a")])
            blocks.append(Block(kind=kind, text=text, page=1, links=links))  # type: ignore[arg-type]

    block_tags = {"p", "li", "blockquote", "pre", "tr", "dd", "dt", "figcaption", *_HEADINGS}

    def walk(el: lxml_html.HtmlElement) -> None:
        if not isinstance(el.tag, str):
            return
        tag = el.tag.lower()
        if tag in _HEADINGS:
            add("heading", el, el.text_content())
        elif tag == "tr":
            cells = [squash(c.text_content()) for c in el if isinstance(c.tag, str) and c.tag in ("td", "th")]
            add("body", el, " | ".join(c for c in cells if c))
        elif tag in block_tags and not any(
            isinstance(d.tag, str) and d.tag in block_tags for d in el.iterdescendants()
        ):
            add("body", el, el.text_content())
        else:
            if el.text and el.text.strip() and tag not in ("html", "table", "tbody", "ul", "ol"):
                add("body", el, el.text)
            for child in el:
                walk(child)
                if child.tail and child.tail.strip():
                    add("body", el, child.tail)

    body = tree.find(".//body")
    walk(body if body is not None else tree)
    return blocks


def _html_title(tree: lxml_html.HtmlElement) -> str | None:
    title = tree.find(".//title")
    text = squash(title.text_content()) if title is not None else ""
    return text or None


def _html_metadata(tree: lxml_html.HtmlElement) -> tuple[str | None, str | None]:
    """The page's title and publication date from its metadata (meta tags, JSON-LD, ``<time>``,
    URL), read before the fallback strips the page.

    The date is not guessed from the text: a body sentence's "In 2019, ..." is an activity's
    year, not the page's date.
    """
    try:
        from trafilatura import extract_metadata

        meta = extract_metadata(tree, date_config={"extensive_search": False, "original_date": True})
    except Exception:  # metadata is a bonus: a failure of the extractor must not lose the page
        return None, None
    return getattr(meta, "title", None) or None, getattr(meta, "date", None) or None


def read_html(path: str | Path, *, options: dict | None = None) -> Document:
    """Read an HTML page's main content into a :class:`Document` (one page)."""
    source = str(path)
    data = read_bytes(path, max_bytes=MAX_HTML_BYTES)
    if not data.strip():
        raise InputError(source, "empty file (no HTML to read)")
    text = _XML_DECLARATION.sub("", _decode(data, source), count=1)
    if not text.strip():
        raise InputError(source, "empty file (no HTML to read)")
    if not _MARKUP.search(text):
        raise InputError(source, "not an HTML page (no HTML markup found)")
    try:
        tree = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(source, f"not readable as HTML ({exc})") from exc
    page_title = _html_title(tree)
    meta_title, date = _html_metadata(tree)

    try:
        blocks = _trafilatura_blocks(text)
    except Exception:  # a failure of the extractor is not the user's; use the fallback
        blocks = []
    # the metadata title goes with trafilatura's reading; the fallback keeps the <title>
    title = meta_title if any(b.kind == "body" for b in blocks) else None
    if not any(b.kind == "body" for b in blocks):
        blocks = _fallback_blocks(tree)
    if not any(b.kind == "body" for b in blocks):
        raise InputError(source, "no main text found in the page")

    doc = Document(source=source, sha256=file_sha256(data))
    doc.pages.append(Page(number=1, blocks=blocks))
    doc.title = title or page_title
    doc.date = date
    return finish_document(doc)
