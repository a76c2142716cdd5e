"""JATS XML full text (bioRxiv/medRxiv `jatsxml`): paragraphs with their section titles."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.qa.types import ABSTRACT, Chunk, NoFullText, clean, section_label

MIN_CHARS = 20
MIN_PARAGRAPHS = 3


def parse_jats(content: bytes | str) -> list[Chunk]:
    """The article's abstract and body paragraphs, each with its section ("§2.1 Methods")."""
    tree = LexborHTMLParser(content)
    chunks: list[Chunk] = []
    abstract = tree.css_first("abstract")
    if abstract is not None:
        chunks.extend(Chunk(ABSTRACT, t) for t in _texts(abstract.css("p")))
    for sec in tree.css("sec"):
        label = _section(sec)
        paragraphs = [child for child in sec.iter() if child.tag == "p"]
        chunks.extend(Chunk(label, t) for t in _texts(paragraphs))
    if sum(1 for c in chunks if c.section != ABSTRACT) < MIN_PARAGRAPHS:
        raise NoFullText("the JATS XML has too few sectioned paragraphs")
    return chunks


def _section(sec: LexborNode) -> str:
    children = list(sec.iter())
    label = next((clean(c.text()) for c in children if c.tag == "label"), "")
    title = next((clean(c.text()) for c in children if c.tag == "title"), "")
    return section_label(label, title)


def _texts(nodes: list[LexborNode]) -> list[str]:
    texts = [clean(node.text(separator=" ")) for node in nodes]
    return [t for t in texts if len(t) >= MIN_CHARS]
