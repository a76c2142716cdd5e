"""arXiv's HTML full text (LaTeXML): paragraphs with the numbered section they belong to."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from bot.qa.types import ABSTRACT, Chunk, NoFullText, clean, section_label

SECTION_CLASSES = ("ltx_section", "ltx_subsection", "ltx_subsubsection", "ltx_appendix")
SKIPPED_CLASSES = ("ltx_bibliography",)
MIN_PARAGRAPHS = 3
MIN_CHARS = 20


def parse_arxiv_html(content: bytes | str) -> list[Chunk]:
    """The paper's paragraphs in order, each with its section ("§4.2 Experiments")."""
    tree = HTMLParser(content)
    article = tree.css_first("article.ltx_document")
    if article is None:
        raise NoFullText("no LaTeXML article (ltx_document)")
    _math_as_text(article)
    chunks = _abstract(article)
    titles: dict[int, str] = {}
    for para in article.css("div.ltx_para, p.ltx_p"):
        if para.tag == "p" and _inside(para, "ltx_para"):
            continue  # its ltx_para is taken whole
        section = _section_of(para)
        if section is None or _skipped(section):
            continue
        text = clean(para.text(separator=""))
        if len(text) >= MIN_CHARS:
            chunks.append(Chunk(_title(section, titles), text))
    if sum(1 for c in chunks if c.section != ABSTRACT) < MIN_PARAGRAPHS:
        raise NoFullText("the HTML has too few sectioned paragraphs")
    return chunks


def _classes(node: Node) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _abstract(article: Node) -> list[Chunk]:
    block = article.css_first("div.ltx_abstract")
    if block is None:
        return []
    paragraphs = [clean(p.text(separator="")) for p in block.css("p")]
    return [Chunk(ABSTRACT, p) for p in paragraphs if len(p) >= MIN_CHARS]


def _inside(node: Node, cls: str) -> bool:
    parent = node.parent
    while parent is not None:
        if cls in _classes(parent):
            return True
        parent = parent.parent
    return False


def _section_of(node: Node) -> Node | None:
    """The nearest enclosing LaTeXML section (or subsection, appendix)."""
    parent = node.parent
    while parent is not None:
        if parent.tag == "section" and any(c in _classes(parent) for c in SECTION_CLASSES):
            return parent
        if parent.tag == "div" and "ltx_abstract" in _classes(parent):
            return None
        parent = parent.parent
    return None


def _skipped(section: Node) -> bool:
    return any(c in _classes(section) for c in SKIPPED_CLASSES)


def _title(section: Node, titles: dict[int, str]) -> str:
    key = section.mem_id
    if key not in titles:
        heading = next((c for c in section.iter() if "ltx_title" in _classes(c)), None)
        titles[key] = _label(heading) if heading is not None else "Untitled section"
    return titles[key]


def _label(heading: Node) -> str:
    tag_node = heading.css_first(".ltx_tag")
    tag = clean(tag_node.text()) if tag_node is not None else ""
    text = clean(heading.text(separator=""))
    title = text[len(tag) :].strip() if tag and text.startswith(tag) else text
    return section_label(tag.removeprefix("Appendix").strip(), title)


def _math_as_text(article: Node) -> None:
    """Replace MathML by its LaTeX source (`alttext`), which reads better in a quote."""
    for math in article.css("math"):
        alt = math.attributes.get("alttext") or ""
        math.replace_with(f" {alt} " if alt else " ")
