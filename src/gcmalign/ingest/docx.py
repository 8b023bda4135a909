"""Word documents (.docx) through python-docx.

The body is read in order: paragraphs, tables and the content of content controls
(``w:sdt``). Paragraphs styled "Title", "Subtitle" or "Heading N" become ``heading`` blocks,
other non-empty paragraphs ``body`` blocks with the hyperlinks they contain (relationship
hyperlinks and ``HYPERLINK`` fields). Each table row becomes one ``body`` block, its cells'
texts (a cell's paragraphs joined with spaces, merged cells once) joined with `` | ``.
Footnotes, which python-docx does not expose, are read from ``word/footnotes.xml`` and
appended as ``footnote`` blocks after the body, in the order of that file.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from gcmalign.errors import InputError
from gcmalign.ingest.common import file_sha256, read_bytes, source_links, squash
from gcmalign.layout import finish_document
from gcmalign.model import Block, Document, Page

MAX_DOCX_BYTES = 50 * 1024 * 1024

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_W = f"{{{W_NS}}}"
_HEADING_STYLE = re.compile(r"^(title|subtitle|heading\s*\d+)$", re.IGNORECASE)
_FIELD_URL = re.compile(r'HYPERLINK\s+"([^"]+)"', re.IGNORECASE)


def _field_links(element: etree._Element) -> list[str]:
    """URLs of ``HYPERLINK`` fields (complex ``w:instrText`` or simple ``w:fldSimple``)."""
    instr = "".join(t.text or "" for t in element.iter(f"{_W}instrText"))
    instr += " ".join(f.get(f"{_W}instr", "") for f in element.iter(f"{_W}fldSimple"))
    return _FIELD_URL.findall(instr)


def _paragraph_links(paragraph) -> list[str]:
    links: list[str] = []
    for hyperlink in paragraph.hyperlinks:
        try:
            links.append(hyperlink.url)
        except KeyError:  # a relationship id with no relationship: a damaged link, skip it
            continue
    return source_links([*links, *_field_links(paragraph._p)])


def _is_heading(paragraph) -> bool:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return False
    name = (style.name or "") if style is not None else ""
    return bool(_HEADING_STYLE.match(name.strip()))


def _body_blocks(document) -> list[Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []

    def paragraph_block(p_el) -> None:
        paragraph = Paragraph(p_el, document)
        text = squash(paragraph.text)
        if text:
            kind = "heading" if _is_heading(paragraph) else "body"
            blocks.append(Block(kind=kind, text=text, page=1, links=_paragraph_links(paragraph)))

    def table_blocks(tbl_el) -> None:
        table = Table(tbl_el, document)
        for row in table.rows:
            cells: list[str] = []
            links: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats across the grid
                    continue
                seen.add(id(cell._tc))
                text = squash(" ".join(p.text for p in cell.paragraphs))
                if text:
                    cells.append(text)
                for p in cell.paragraphs:
                    links.extend(_paragraph_links(p))
            if cells:
                blocks.append(Block(kind="body", text=" | ".join(cells), page=1, links=source_links(links)))

    def walk(container) -> None:
        for child in container.iterchildren():
            if child.tag == f"{_W}p":
                paragraph_block(child)
            elif child.tag == f"{_W}tbl":
                table_blocks(child)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    walk(content)

    walk(document.element.body)
    return blocks


def _footnote_blocks(archive: zipfile.ZipFile) -> list[Block]:
    """Footnotes from ``word/footnotes.xml`` (separators skipped), with their hyperlinks."""
    try:
        xml = archive.read("word/footnotes.xml")
    except KeyError:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(xml, parser=parser)
    if root is None:
        return []
    rels: dict[str, str] = {}
    try:
        rels_root = etree.fromstring(archive.read("word/_rels/footnotes.xml.rels"), parser=parser)
    except KeyError:
        rels_root = None
    if rels_root is not None:
        for rel in rels_root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            if rel.get("Type", "").endswith("/hyperlink"):
                rels[rel.get("Id", "")] = rel.get("Target", "")
    blocks: list[Block] = []
    for note in root.iter(f"{_W}footnote"):
        if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in note.iter(f"{_W}p")]
        text = squash(" ".join(paragraphs))
        if not text:
            continue
        links = [rels.get(hyperlink.get(f"{{{R_NS}}}id", "")) for hyperlink in note.iter(f"{_W}hyperlink")]
        links = source_links([*links, *_field_links(note)])
        blocks.append(Block(kind="footnote", text=text, page=1, links=links))
    return blocks


def read_docx(path: str | Path, *, options: dict | None = None) -> Document:
    """Read a Word document (.docx) into a :class:`Document` (one page)."""
    source = str(path)
    data = read_bytes(path, max_bytes=MAX_DOCX_BYTES)
    if not data.strip():
        raise InputError(source, "empty file (no Word document to read)")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise InputError(source, "not a Word document (.docx files are ZIP archives; this is not one)")
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names and "[Content_Types].xml" not in names:
                raise InputError(source, "not a Word document (a ZIP archive without word/document.xml)")
            if archive.testzip() is not None:
                raise InputError(source, "corrupt Word document (damaged ZIP archive)")
            footnotes = _footnote_blocks(archive)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        etree.XMLSyntaxError,
    ) as exc:
        raise InputError(source, "corrupt Word document (damaged ZIP archive)") from exc

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:  # another OPC package (a workbook, a presentation, a template)
        raise InputError(source, "not a Word document (another kind of Office file)") from exc
    except (PackageNotFoundError, KeyError) as exc:
        raise InputError(source, "not a Word document (word/document.xml missing)") from exc
    except Exception as exc:  # malformed XML or package parts: anything python-docx trips on
        raise InputError(source, f"corrupt Word document ({type(exc).__name__})") from exc
    try:
        blocks = _body_blocks(document)
    except Exception as exc:
        raise InputError(source, f"corrupt Word document ({type(exc).__name__})") from exc
    if not any(b.kind in ("body", "heading") for b in blocks):
        raise InputError(source, "no text found in the Word document")

    doc = Document(source=source, sha256=file_sha256(data))
    doc.pages.append(Page(number=1, blocks=blocks + footnotes))
    title = squash(document.core_properties.title or "")
    if title:
        doc.title = title
    return finish_document(doc)
