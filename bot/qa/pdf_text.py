"""A PDF's text with pypdf, page by page (yielding to the loop), split into sectioned passages.

Sections are found from numbered headings on a line of their own ("1 Introduction",
"4.2 Experiments"; "A Prompts" after the references) whose numbers go forward; the
reference list is left out. Paragraphs are guessed from short lines ending a sentence.
"""

from __future__ import annotations

import asyncio
import io
import re
import statistics
from collections.abc import Iterable

from bot.qa.types import ABSTRACT, Chunk, NoFullText, clean, section_label

MAX_PAGES = 80
MIN_CHARS = 200
TARGET_CHARS = 900
MAX_CHARS = 1_600
_HEADING = re.compile(r"^(?P<tag>\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(?P<title>[A-Z][^\n]{1,70})$")
_APPENDIX = re.compile(r"^(?P<tag>[A-H](?:\.\d{1,2}){0,2})\.?\s+(?P<title>[A-Z][^\n]{1,70})$")
_UNNUMBERED = {"abstract": ABSTRACT, "references": "References", "bibliography": "References",
               "acknowledgements": "Acknowledgements", "acknowledgments": "Acknowledgements",
               "appendix": "Appendix", "limitations": "Limitations"}  # fmt: skip
_STAMP = re.compile(r"^arXiv:\d{4}\.\d{4,5}v\d+\s+\[[^\]]+\]\s+\d{1,2} \w{3} \d{4}$")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_CAPTION = re.compile(r"^(?:Table|Figure|Fig\.)\s+[A-Z]?\d{1,2}\s*[:.]\s+\S")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")


async def pdf_pages(content: bytes) -> list[str]:
    """Each page's text; the loop gets a turn between pages (pypdf is CPU-bound)."""
    from pypdf import PdfReader  # imported on first use (~0.1 s at startup)

    try:
        reader = PdfReader(io.BytesIO(content))
        pages: list[str] = []
        for page in reader.pages[:MAX_PAGES]:
            pages.append(page.extract_text() or "")
            await asyncio.sleep(0)
    except Exception as error:  # pypdf raises many kinds on broken files
        raise NoFullText(f"unreadable PDF: {type(error).__name__}: {error}") from error
    if not any(p.strip() for p in pages):
        raise NoFullText("the PDF has no extractable text")
    return pages


async def parse_pdf(content: bytes) -> list[Chunk]:
    """The PDF's passages with their sections, references left out."""
    pages = await pdf_pages(content)
    return sectioned_passages(pages)


def sectioned_passages(pages: Iterable[str]) -> list[Chunk]:
    """Passages of ~TARGET_CHARS, each with the section heading above it; tables and
    figures (their caption, and a table's cells) as passages labelled by their caption."""
    lines = [line.strip() for page in pages for line in page.splitlines()]
    lines = [line for line in lines if line and not _noise(line)]
    width = statistics.median([len(line) for line in lines]) if lines else 0
    chunks: list[Chunk] = []
    section, buffer, last, appendix = ABSTRACT, [], (), False
    caption: list[str] = []
    for line in lines:
        if caption:
            caption.append(line)
            if line.endswith(".") or len(caption) > 4:
                chunks.append(_captioned(caption))
                caption = []
            continue
        if _CAPTION.match(line):
            caption = [*_cells(buffer, width, line), line]
            if line.endswith("."):
                chunks.append(_captioned(caption))
                caption = []
            continue
        heading = _heading(line, last, appendix)
        if heading is None:
            buffer.append(line)
            continue
        chunks.extend(_passages(section, buffer, width))
        section, buffer = heading[1], []
        appendix = appendix or section == "References"
        last = () if section == "References" else heading[0] or last
    chunks.extend(_passages(section, buffer, width))
    if caption:
        chunks.append(_captioned(caption))
    if len(chunks) < 2:
        raise NoFullText("too little text in the PDF")
    return [c for c in chunks if c.section != "References"]


def _cells(buffer: list[str], width: float, caption: str) -> list[str]:
    """Take a table's cell lines (short, not ending a sentence) off the end of `buffer`;
    a figure's are dropped (labels inside a drawing are not text to quote)."""
    cells: list[str] = []
    while buffer and _cell_like(buffer[-1], width):
        cells.insert(0, buffer.pop())
    return cells if caption.lower().startswith("table") else []


def _cell_like(line: str, width: float) -> bool:
    digits = sum(ch.isdigit() for ch in line)
    short = len(line) < 0.6 * width
    return not line.endswith((".", "?", "!")) and (short or digits >= 0.15 * len(line))


def _captioned(lines: list[str]) -> Chunk:
    """A table or figure as one passage, labelled "Table 8: Ablation study results …"."""
    text = clean(" ".join(lines))
    at = next((i for i, line in enumerate(lines) if _CAPTION.match(line)), 0)
    words = clean(" ".join(lines[at:])).split()
    label = " ".join(words[:12]).rstrip(".,;:") + (" …" if len(words) > 12 else "")
    return Chunk(label, text[: MAX_CHARS * 2])


def _noise(line: str) -> bool:
    return line.isdigit() or bool(_STAMP.match(line))


def _heading(line: str, last: tuple[int, ...], appendix: bool) -> tuple[tuple, str] | None:
    """(number, label) when the line is a plausible next section heading."""
    name = _UNNUMBERED.get(line.lower().rstrip(":"))
    if name is not None:
        return (), name
    match = (_APPENDIX if appendix else _HEADING).match(line)
    if match is None or not _title_like(match["title"]):
        return None
    number = _number(match["tag"])
    if not _follows(number, last):
        return None
    return number, section_label(match["tag"], match["title"])


def _number(tag: str) -> tuple[int, ...]:
    """The heading number: "4.2" → (4, 2); appendix "B.1" → (2, 1)."""
    head, *rest = tag.split(".")
    first = ord(head) - ord("A") + 1 if head.isalpha() else int(head)
    return (first, *(int(n) for n in rest))


def _title_like(title: str) -> bool:
    words = title.split()
    letters = sum(ch.isalpha() for ch in title)
    return (
        len(words) <= 10
        and letters >= 0.7 * len(title.replace(" ", ""))
        and not title.endswith((".", ",", ";", "-"))
        and ". " not in title
        and not _YEAR.search(title)
    )


def _follows(number: tuple[int, ...], last: tuple[int, ...]) -> bool:
    """A heading number must come just after the previous one (a numbering restarts at 1)."""
    if not last:
        return number[0] == 1 and all(n == 1 for n in number[1:])
    if number <= last:
        return False
    if number[0] == last[0]:
        return len(number) > 1
    return number[0] == last[0] + 1 and all(n == 1 for n in number[1:])


def _passages(section: str, lines: list[str], width: float) -> list[Chunk]:
    text_paragraphs = _paragraphs(lines, width)
    out: list[Chunk] = []
    for paragraph in _sized(text_paragraphs):
        out.append(Chunk(section, paragraph))
    return out


def _paragraphs(lines: list[str], width: float) -> list[str]:
    """Join wrapped lines (undoing hyphenation); a short line ending a sentence ends one."""
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        current = _join(current, line)
        if line.endswith((".", ":", "?", "!")) and len(line) < 0.7 * width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return [clean(p) for p in paragraphs if p.strip()]


def _join(text: str, line: str) -> str:
    if not text:
        return line
    if text.endswith("-") and line[:1].islower():
        return text[:-1] + line
    return f"{text} {line}"


def _sized(paragraphs: list[str]) -> list[str]:
    """Merge short paragraphs up to TARGET_CHARS and split long ones at sentence ends."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out and len(out[-1]) < MIN_CHARS:
            out[-1] = f"{out[-1]} {paragraph}"
        else:
            out.append(paragraph)
    return [piece for p in out for piece in _split(p)]


def _split(paragraph: str) -> list[str]:
    if len(paragraph) <= MAX_CHARS:
        return [paragraph]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(paragraph):
        if current and len(current) + len(sentence) > TARGET_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    return [*pieces, current] if current else pieces
