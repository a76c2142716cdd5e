"""Offline summaries on bioRxiv/medRxiv and journal abstracts: defect counts and role agreement.

There are no reference summaries for biology and medicine, so the table counts defects that
need no labels, on every recorded record: the bioRxiv API page, the bioRxiv subject RSS
feeds and the journal feeds in ../shared/fixtures, and the bioRxiv records of
../shared/reference/corpus (every structured abstract there and every `stride`-th other
record; `BENCH_BIOMED_STRIDE=1` counts all 25,369). The same counts on arXiv abstracts (the
reference digest and the cs.LG records of the corpus) are shown alongside. Goal: 0 of each.

    non-word start   a field opens on a non-alphanumeric character (quotes aside) or a made-up word
                     ("Useds …", "Determineds …")
    heading glued    a structured-abstract heading left in a field ("DiscussionThis …",
                     "… noise. Results We …")
    ack / contact / registration / funding / copyright / competing
                     paperwork text inside a field
    empty Result     Result is empty although the abstract reports a measured number (%, fold,
                     p, OR/HR/AUC/CI) outside its opening sentence and Background sections

Role agreement: on structured abstracts, each sentence of the Motivation, Method, Result
and Conclusion fields is traced to the section it came from; it agrees when that section's
heading names the field's role. "headings hidden" re-runs the same abstracts with the
headings removed, so it measures the cue rules alone on real data.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.journal import parse_journal_feed
from bot.summary.offline import OfflineSummarizer
from bot.summary.sentences import clean_abstract, make_segmenter, split_sentences
from bot.summary.shorten import IRREGULAR_PAST
from bot.summary.structure import HEADINGS, Section, is_structured, split_sections
from bot.summary.types import PaperText, Summary
from bot.text import display_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
TEXT_FIELDS = ("one_line", "tldr", "motivation", "method", "result", "conclusion")
ROLE_OF_FIELD = {
    "motivation": "background",
    "method": "method",
    "result": "result",
    "conclusion": "conclusion",
}
DEFECTS = (
    "non-word start",
    "heading glued",
    "ack",
    "contact",
    "registration",
    "funding",
    "copyright",
    "competing",
    "empty Result",
)
_HEADING_WORDS = sorted({h for h in HEADINGS if " " not in h}, key=len, reverse=True)
_GLUED = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(w.capitalize() + "|" + w.upper() for w in _HEADING_WORDS)
    + r")(?=[A-Z][a-z]|\s*:)"
    + r"|(?:^|[.!?]\s+)(?:"
    + "|".join(w.capitalize() for w in _HEADING_WORDS)
    + r")\s+(?=[A-Z][a-z])"
)
_PAPERWORK = {
    "ack": re.compile(
        r"\bwe\s+(?:would\s+like\s+to\s+|also\s+)?(?:thank|acknowledge)\b|\backnowledge?ments?\b"
        r"|\b(?:are|is)\s+(?:very\s+)?grateful\s+to\b|\bthanks\s+(?:go|are\s+due)\b",
        re.I,
    ),
    "contact": re.compile(
        r"[\w.+-]+@[\w-]+\.\w|\bcontacts?\s*:|^contacts?\b|\bcorresponding\s+author\b", re.I
    ),
    "registration": re.compile(
        r"\b(?:NCT|ISRCTN|ACTRN|ChiCTR|CRD)\s?\d{5,}|\bprospero\b|\bclinicaltrials\.gov\b"
        r"|\b(?:trial|study|protocol|review)\s+(?:was\s+|is\s+)?(?:prospectively\s+)?registered\b"
        r"|\bregistered\s+(?:at|with|in|on|under)\s+(?:the\s+)?(?:clinical|open\s+science|osf)"
        r"|\bregistration\s+(?:number|no\.?|id)\b|\btrial\s+registration\b",
        re.I,
    ),
    "funding": re.compile(
        r"\bfunded\s+by\b|\bfunding\s*(?::|from\b|was\s+provided|sources?\b|statement)"
        r"|\bsupported\s+(?:in\s+part\s+)?by\s+(?:the\s+)?(?:grants?|NIH|NSF|ERC|\w+\s+foundation)\b"
        r"|\bgrant\s+(?:no|number|#)",
        re.I,
    ),
    "copyright": re.compile(r"©|\bcopyright\b|\ball rights reserved\b", re.I),
    "competing": re.compile(r"\bcompeting interests?\b|\bconflicts? of interests?\b", re.I),
}
_REPORTED = re.compile(
    r"\d(?:[\d.,]*\d)?\s?%|\b[pP]\s?[<=≤]\s?0?\.\d|\d(?:\.\d+)?[- ]fold\b"
    r"|\b(?:OR|HR|RR|AUC|AUROC|CI)\b\D{0,12}\d"
)
_WORD = re.compile(r"[A-Za-z][\w']*")
_NAME_PREFIX = re.compile(r"[(\[][^\s()\[\]]+[)\]]\S")  # "(2R,6R)-HNK", "[89Zr]…"
_REWRITES = frozenset({"introduces", "proposes", "presents"})  # what "we address this … with"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # "ConclusionsThese" has the word "these"


@dataclass(frozen=True)
class Paper:
    """One abstract to summarize, with the collection it came from."""

    collection: str
    text: PaperText


def fixture_papers(shared: Path = SHARED) -> list[Paper]:
    """The recorded bioRxiv API page, bioRxiv RSS feeds and journal feeds, parsed as in fetch."""
    out: list[Paper] = []
    page = json.loads((shared / "fixtures/biorxiv").glob("*details*.json").__next__().read_text())
    fetched = parse_biorxiv_page(page)[0]
    out += [_paper("bioRxiv API", p.key, p.title, p.abstract) for p in fetched]
    feeds = sorted((shared / "fixtures/biorxiv").glob("*.xml"))
    feeds += sorted((shared / "fixtures/journal_rss").glob("*.xml"))
    for feed in feeds:
        name = "bioRxiv RSS" if "biorxiv" in feed.name else "journal feeds"
        for p in parse_journal_feed(feed.read_bytes(), feed.name).papers:
            out.append(_paper(name, p.key, p.title, p.abstract))
    return [p for p in out if p.text.abstract]


def corpus_papers(shared: Path = SHARED, stride: int | None = None) -> list[Paper]:
    """The corpus's bioRxiv records: all structured ones, and every `stride`-th of the rest."""
    step = stride or int(os.environ.get("BENCH_BIOMED_STRIDE", "10"))
    out: list[Paper] = []
    for i, record in enumerate(_jsonl(shared / "reference/corpus/biorxiv_2025.jsonl.gz")):
        paper = _paper("bioRxiv corpus", str(record["doi"]), record["title"], record["abstract"])
        if i % step == 0 or is_structured(split_sections(clean_abstract(paper.text.abstract))):
            out.append(paper)
    return out


def arxiv_papers(shared: Path = SHARED, limit: int = 400) -> list[Paper]:
    """The reference digest's arXiv abstracts and the corpus's first cs.LG ones."""
    rows = (shared / "reference/arxiv_digest_2512_llm_summaries.jsonl").read_text().splitlines()
    out = [
        _paper("arXiv reference", r["arxiv_id"], r["title"], r["abstract"])
        for r in map(json.loads, filter(None, rows))
    ]
    for record in _jsonl(shared / "reference/corpus/arxiv_2025.jsonl.gz"):
        if record.get("primary_category") == "cs.LG" and len(out) < limit:
            out.append(_paper("arXiv cs.LG", record["id"], record["title"], record["abstract"]))
    return out


def _paper(collection: str, key: str, title: str, abstract: str) -> Paper:
    """A paper as the store keeps it (display-normalized title and abstract)."""
    return Paper(collection, PaperText(key, display_text(title), display_text(abstract)))


def _jsonl(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def defects(summary: Summary, abstract: str) -> set[str]:
    """The DEFECTS one summary has."""
    found: set[str] = set()
    source = set(_WORD.findall(f"{abstract} {_CAMEL.sub(' ', abstract)}".lower()))
    for name in TEXT_FIELDS:
        value = getattr(summary, name)
        if not value:
            continue
        if _nonword_start(value, source):
            found.add("non-word start")
        if _GLUED.search(value):
            found.add("heading glued")
        found |= {kind for kind, pattern in _PAPERWORK.items() if pattern.search(value)}
    if not summary.result and _REPORTED.search(_findings_text(abstract)):
        found.add("empty Result")
    return found


def _findings_text(abstract: str) -> str:
    """The abstract without its opening sentence and Background sections (where a number is
    context, "40% of patients …")."""
    sections = [s for s in split_sections(abstract) if s.role != "background"]
    if sections and sections[0] is split_sections(abstract)[0]:
        cut = re.search(r"[.!?]\s+(?=[A-Z])", sections[0].text)
        sections[0] = Section("", None, sections[0].text[cut.end() :] if cut else "")
    return " ".join(s.text for s in sections)


def _nonword_start(value: str, source: set[str]) -> bool:
    """Opens on a non-alphanumeric character, or on a word neither in the abstract nor a
    plain -s/-es/-ies form of one of its words that is not a past form."""
    if not value[0].isalnum() and value[0] not in "\"“'‘" and not _NAME_PREFIX.match(value):
        return True
    match = _WORD.match(value)
    if match is None:
        return False
    word = match.group(0).lower()
    if word in source or word in _REWRITES:
        return False
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(cut):
            base = word[: -len(cut)] + add
            past = base in IRREGULAR_PAST or base.endswith("ed")
            if not past and base in source:
                return False
    return True


def count_defects(papers: Iterable[Paper], summarizer: OfflineSummarizer) -> dict[str, Counter]:
    """Per collection: papers counted ("papers") and papers with each defect."""
    table: dict[str, Counter] = {}
    for paper in papers:
        summary = summarizer.summarize_now(paper.text, "en")
        row = table.setdefault(paper.collection, Counter())
        row["papers"] += 1
        row.update(defects(summary, paper.text.abstract))
    return table


def role_agreement(papers: Iterable[Paper], summarizer: OfflineSummarizer) -> dict[str, float]:
    """Agreement of field sentences with their sections' headings, with and without them."""
    segmenter = make_segmenter()
    counts = Counter()
    for paper in papers:
        sections = split_sections(clean_abstract(paper.text.abstract))
        if not is_structured(sections):
            continue
        counts["abstracts"] += 1
        hidden = " ".join(_sentence_end(s.text) for s in sections)
        for mode, abstract in (("headings", paper.text.abstract), ("headings hidden", hidden)):
            summary = summarizer.summarize_now(
                PaperText(paper.text.key, paper.text.title, abstract), "en"
            )
            agree, traced = _trace(summary, sections, segmenter)
            counts[f"{mode} agree"] += agree
            counts[f"{mode} traced"] += traced
    return {
        "abstracts": counts["abstracts"],
        **{
            mode: counts[f"{mode} agree"] / max(1, counts[f"{mode} traced"])
            for mode in ("headings", "headings hidden")
        },
        "sentences": counts["headings traced"],
    }


def _sentence_end(text: str) -> str:
    return text if text.rstrip()[-1:] in ".!?" else text.rstrip() + "."


def _trace(summary: Summary, sections: list[Section], segmenter: object) -> tuple[int, int]:
    """(agreeing, traced) field sentences: traced to a section whose heading has a role."""
    agree = traced = 0
    for field, role in ROLE_OF_FIELD.items():
        for sentence in split_sentences(segmenter, getattr(summary, field)):  # type: ignore[arg-type]
            probe = sentence.rstrip("…. ")[:60]
            home = next((s for s in sections if probe and probe in s.text), None)
            if home is None or home.role not in ROLE_OF_FIELD.values():
                continue
            traced += 1
            agree += home.role == role
    return agree, traced


def render(table: dict[str, Counter]) -> str:
    """The defect table: one row per collection, one column per defect, and a total row."""
    total = Counter()
    for row in table.values():
        total.update(row)
    rows = [*table.items(), ("total", total)]
    heads = ["collection", "papers", *DEFECTS]
    width = [max(len(heads[0]), *(len(name) for name, _ in rows))]
    width += [max(6, len(h)) for h in heads[1:]]
    cells = [heads[0].ljust(width[0])]
    cells += [h.rjust(w) for h, w in zip(heads[1:], width[1:], strict=True)]
    lines = [" | ".join(cells)]
    lines.append("-+-".join("-" * w for w in width))
    for name, row in rows:
        cells = [name.ljust(width[0]), str(row["papers"]).rjust(width[1])]
        cells += [str(row[d]).rjust(w) for d, w in zip(DEFECTS, width[2:], strict=True)]
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def main() -> None:
    """Print the defect table (bio/med, then arXiv) and the role agreement."""
    summarizer = OfflineSummarizer()
    biomed = fixture_papers() + corpus_papers()
    print("Defects in offline summaries (papers with each; goal 0)")
    print(render(count_defects(biomed, summarizer)))
    print()
    print(render(count_defects(arxiv_papers(), summarizer)))
    agreement = role_agreement(biomed, summarizer)
    print(
        f"\nRole agreement on {agreement['abstracts']} structured abstracts "
        f"({agreement['sentences']} field sentences traced to a headed section): "
        f"{agreement['headings']:.1%} with headings, "
        f"{agreement['headings hidden']:.1%} with the headings hidden (cue rules alone)"
    )


if __name__ == "__main__":
    main()
