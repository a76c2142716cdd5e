"""References to papers: arXiv ids, DOIs and URLs, from chat text or a reference-manager export."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.sources.arxiv_ids import find_arxiv_ids, normalize_arxiv_id, normalize_doi

ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
BIORXIV_DOI_PREFIX = "10.1101/"


@dataclass(frozen=True)
class Reference:
    """One paper a library names: by arXiv id or DOI (title only for messages)."""

    arxiv_id: str | None = None
    doi: str | None = None
    title: str = ""

    @property
    def label(self) -> str:
        """How to name it to a person."""
        if self.arxiv_id:
            return f"arXiv:{self.arxiv_id}"
        return f"doi:{self.doi}" if self.doi else (self.title or "?")


def parse_reference(token: str) -> Reference | None:
    """A chat token (arXiv id or URL, DOI, doi.org or bioRxiv URL) as a Reference, or None."""
    arxiv = normalize_arxiv_id(token)
    if arxiv is not None:
        return Reference(arxiv_id=arxiv)
    doi = normalize_doi(token)
    if doi is None:
        return None
    return _from_doi(doi)


def _from_doi(doi: str, title: str = "") -> Reference:
    """arXiv's own DOIs (10.48550/arXiv.…) name arXiv papers."""
    match = ARXIV_DOI.match(doi)
    if match and normalize_arxiv_id(match[1]):
        return Reference(arxiv_id=normalize_arxiv_id(match[1]), title=title)
    return Reference(doi=doi, title=title)


def parse_references(text: str) -> tuple[list[Reference], list[str]]:
    """(references, tokens that are none) from a whitespace- or comma-separated list."""
    found: dict[Reference, None] = {}
    bad: list[str] = []
    for token in (t for t in re.split(r"[\s,]+", text) if t):
        ref = parse_reference(token)
        if ref is None:
            bad.append(token)
        else:
            found.setdefault(ref, None)
    return list(found), bad


def entry_reference(doi: str, eprint: str, url: str, title: str) -> Reference | None:
    """The best identifier an exported entry carries: arXiv id, DOI, then a URL's."""
    arxiv = normalize_arxiv_id(eprint) if eprint else None
    if arxiv is None and url:
        arxiv = normalize_arxiv_id(url) or next(iter(find_arxiv_ids(url)), None)
    if arxiv is not None:
        return Reference(arxiv_id=arxiv, title=title)
    found = normalize_doi(doi) if doi else None
    found = found or (normalize_doi(url) if url else None)
    return _from_doi(found, title) if found else None


@dataclass(frozen=True)
class ReadLibrary:
    """What a library file held: its references and the entries without any identifier."""

    references: list[Reference]
    skipped: list[str]


def read_library(content: str, name: str = "") -> ReadLibrary:
    """Read BibTeX, RIS or CSL-JSON (by extension, else by content) into references."""
    kind = library_format(content, name)
    entries = {"bibtex": _bibtex, "ris": _ris, "csl-json": _csl_json}[kind](content)
    refs: dict[Reference, None] = {}
    skipped: list[str] = []
    for doi, eprint, url, title in entries:
        ref = entry_reference(doi, eprint, url, title)
        if ref is None:
            skipped.append(title or "(untitled entry)")
        else:
            refs.setdefault(ref, None)
    return ReadLibrary(list(refs), skipped)


def library_format(content: str, name: str = "") -> str:
    """ "bibtex", "ris" or "csl-json"; ValueError when it is none of them."""
    lower = name.lower()
    for ext, kind in ((".bib", "bibtex"), (".ris", "ris"), (".json", "csl-json")):
        if lower.endswith(ext):
            return kind
    head = content.lstrip()[:200]
    if head.startswith(("[", "{")):
        return "csl-json"
    if head.startswith("@"):
        return "bibtex"
    if re.match(r"^TY  - ", head):
        return "ris"
    raise ValueError("not a BibTeX (.bib), RIS (.ris) or CSL-JSON (.json) library")


Entry = tuple[str, str, str, str]  # doi, eprint, url, title


def _bibtex(content: str) -> list[Entry]:
    import bibtexparser

    library = bibtexparser.parse_string(content)
    entries = []
    for entry in library.entries:
        fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        eprint = fields.get("eprint", "")
        if not eprint and "arxiv" in fields.get("journal", "").lower():
            eprint = fields.get("journal", "").split(":")[-1].strip()
        title = " ".join(fields.get("title", "").replace("{", "").replace("}", "").split())
        entries.append((fields.get("doi", ""), eprint, fields.get("url", ""), title))
    return entries


def _ris(content: str) -> list[Entry]:
    import rispy

    entries = []
    for record in rispy.loads(content):
        urls = record.get("urls") or []
        title = record.get("title") or record.get("primary_title") or ""
        eprint = next((u for u in urls if "arxiv.org" in u), "")
        entries.append((record.get("doi", ""), eprint, " ".join(urls), title))
    return entries


def _csl_json(content: str) -> list[Entry]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid CSL-JSON: {exc.msg} at line {exc.lineno}") from None
    items = data if isinstance(data, list) else data.get("items", [data])
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = str(item.get("URL", ""))
        eprint = str(item.get("arxiv", "") or item.get("number", "") if "arxiv" in url else "")
        entries.append((str(item.get("DOI", "")), eprint, url, str(item.get("title", ""))))
    return entries
