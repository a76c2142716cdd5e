"""Parsing and normalizing arXiv identifiers and DOIs found in ids, URLs and free text."""

from __future__ import annotations

import re

_NEW = r"(?:0[7-9]|[1-9]\d)(?:0[1-9]|1[0-2])\.\d{4,5}"
_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d+))?"

_EXACT = re.compile(
    rf"""^\s*(?:
        (?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/
      | oai:arxiv\.org:
      | arxiv:\s*
    )?{_ID}(?:\.pdf)?/?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_IN_TEXT = re.compile(
    rf"""(?:(?<=arxiv\.org/abs/)|(?<=arxiv\.org/pdf/)|(?<=arxiv\.org/html/)
      |(?<=oai:arxiv\.org:)|(?<=arxiv:)|(?<=arxiv:\s)|(?<![\w./-]))
    {_ID}(?![\w-]|\.\d)""",
    re.IGNORECASE | re.VERBOSE,
)

_DOI = re.compile(r"10\.\d{4,9}/[^\s\"'<>]+")
_DOI_TRAILING = ".,;:)]}'\""
_PREPRINT_SUFFIX = re.compile(
    r"v\d+(?:\.(?:full|abstract|supplementary-material|article-info|article-metrics)"
    r"(?:\.pdf)?)?$|\.(?:full|abstract)(?:\.pdf)?$",
    re.IGNORECASE,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Split an arXiv id, URL or OAI identifier into (id without version, version or None)."""
    match = _EXACT.match(text or "")
    if match is None:
        return None
    version = match.group("version")
    return _canonical(match.group("id")), int(version) if version else None


def normalize_arxiv_id(text: str) -> str | None:
    """The bare arXiv id (no version) of an id or URL, or None when it is not one."""
    parsed = parse_arxiv_id(text)
    return parsed[0] if parsed else None


def find_arxiv_ids(text: str) -> list[str]:
    """Every arXiv id (without version) mentioned in free text, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _IN_TEXT.finditer(text or ""):
        seen.setdefault(_canonical(match.group("id")), None)
    return list(seen)


def normalize_doi(text: str) -> str | None:
    """A lower-case DOI from `doi:…`, `info:doi/…`, a doi.org or preprint URL, or a bare DOI."""
    match = _DOI.search(text or "")
    if match is None:
        return None
    return _clean_doi(match.group(0))


def find_doi(text: str) -> str | None:
    """The first DOI mentioned in `text`, lower-cased, or None."""
    return normalize_doi(text)


def find_dois(text: str) -> list[str]:
    """Every DOI mentioned in `text`, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _DOI.finditer(text or ""):
        doi = _clean_doi(match.group(0))
        if doi:
            seen.setdefault(doi, None)
    return list(seen)


def _clean_doi(raw: str) -> str | None:
    doi = re.split(r"[?#]", raw, maxsplit=1)[0].rstrip(_DOI_TRAILING)
    while doi.endswith(")") and doi.count("(") < doi.count(")"):
        doi = doi[:-1]
    if doi.lower().startswith("10.1101/"):  # bioRxiv/medRxiv: drop version and page suffixes
        doi = _PREPRINT_SUFFIX.sub("", doi)
    doi = doi.rstrip(_DOI_TRAILING + "/")
    return doi.lower() if "/" in doi and not doi.endswith("/") else None


def _canonical(arxiv_id: str) -> str:
    """Old-style archive names are lower case; the subject class (e.g. `math.AG`) is not."""
    if "/" not in arxiv_id:
        return arxiv_id
    archive, number = arxiv_id.split("/", 1)
    if "." in archive:
        name, subject = archive.split(".", 1)
        return f"{name.lower()}.{subject.upper()}/{number}"
    return f"{archive.lower()}/{number}"
