"""Structured abstracts: the headings of medicine's and biology's abstract formats.

Headings come inline ("Methods: …"), in CAPITALS ("RESULTS We …"), glued to the text once
their line breaks are gone ("ResultsWe …", "Contactsname@host") or on lines of their own,
which display normalization turns into "Background The …". A heading is recognized only
from the closed list below, at the start of the text or of a sentence, written in Title case
or CAPITALS and followed by a colon, a capital letter or (for the non-summary headings) any
text. Each section gets the role its heading names; `None` means "no role from the heading"
(the cue rules decide), and `DROP` marks sections that are not summary material (contacts,
funding, registrations, competing interests, availability notices, keywords, and the lay
summaries that repeat the abstract: "Author summary", "Significance statement" …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.summary.roles import BACKGROUND_ROLE, CONCLUSION_ROLE, METHOD_ROLE, RESULT_ROLE

DROP = "drop"

_B, _M, _R, _C = BACKGROUND_ROLE, METHOD_ROLE, RESULT_ROLE, CONCLUSION_ROLE
HEADINGS: dict[str, str | None] = {
    "background": _B,
    "backgrounds": _B,
    "introduction": _B,
    "motivation": _B,
    "context": _B,
    "rationale": _B,
    "objective": _B,
    "objectives": _B,
    "aim": _B,
    "aims": _B,
    "purpose": _B,
    "importance": None,
    "premise": _B,
    "problem": _B,
    "background and aims": _B,
    "background & aims": _B,
    "background and objectives": _B,
    "background and purpose": _B,
    "background and objective": _B,
    "aims and objectives": _B,
    "scope": _B,
    "methods": _M,
    "method": _M,
    "methodology": _M,
    "materials and methods": _M,
    "material and methods": _M,
    "design": _M,
    "study design": _M,
    "setting": _M,
    "participants": _M,
    "patients": _M,
    "interventions": _M,
    "intervention": _M,
    "measurements": _M,
    "main outcome measures": _M,
    "main outcomes and measures": _M,
    "approach": _M,
    "experimental design": _M,
    "data sources": _M,
    "study selection": _M,
    "data extraction": _M,
    "exposures": _M,
    "exposure": _M,
    "design and methods": _M,
    "design, setting, and participants": _M,
    "procedures": _M,
    "analysis": _M,
    "results": _R,
    "result": _R,
    "findings": _R,
    "main results": _R,
    "outcomes": _R,
    "key results": _R,
    "observations": _R,
    "conclusions": _C,
    "conclusion": _C,
    "interpretation": _C,
    "discussion": _C,
    "implications": _C,
    "significance": _C,
    "conclusions and relevance": _C,
    "conclusions and implications": _C,
    "conclusion and relevance": _C,
    "conclusions/significance": _C,
    "synthesis and applications": _C,
    "methods and results": None,
    "approach and results": None,
    "methods and findings": None,
    "methodology/principal findings": None,
    "principal findings": _R,
    "summary": None,
    "abstract": None,
    "teaser": DROP,
    "one sentence summary": DROP,
    "author summary": DROP,
    "significance statement": DROP,
    "statement of significance": DROP,
    "lay summary": DROP,
    "plain language summary": DROP,
    "availability and implementation": DROP,
    "availability": DROP,
    "implementation": DROP,
    "contact": DROP,
    "contacts": DROP,
    "funding": DROP,
    "funding sources": DROP,
    "trial registration": DROP,
    "registration": DROP,
    "clinical trial registration": DROP,
    "trial registration number": DROP,
    "keywords": DROP,
    "key words": DROP,
    "competing interests": DROP,
    "competing interest statement": DROP,
    "conflict of interest": DROP,
    "conflicts of interest": DROP,
    "acknowledgements": DROP,
    "acknowledgments": DROP,
    "supplementary information": DROP,
    "copyright": DROP,
    "graphical abstract": DROP,
    "data availability": DROP,
    "code availability": DROP,
}
_ANY_TEXT = frozenset(h for h, role in HEADINGS.items() if role == DROP)
_NAMES = "|".join(re.escape(h) for h in sorted(HEADINGS, key=len, reverse=True))
# A candidate: at the start or after a sentence end; what follows is checked in `_accept`.
_NAME = rf"(?:{_NAMES})(?:\(s\))?"
# Qualifiers of compound headings: "Study Objectives:", "Measurements and Main Results:".
_QUALIFIERS = frozenset(
    [
        "study",
        "clinical",
        "data",
        "main",
        "key",
        "principal",
        "primary",
        "secondary",
        "specific",
        "research",
        "general",
        "statistical",
        "experimental",
        "major",
        "brief",
        "structured",
        "measurements",
        "theory",
        "overall",
    ]
)
_QUALIFIER = "(?:" + "|".join(sorted(_QUALIFIERS)) + ")"
_PART = rf"(?:(?:{_QUALIFIER}\s+)?{_NAME}|{_QUALIFIER}(?=\s+(?:and|&)\s))"
_JOIN = r"(?:\s?/\s?|\s+(?:and|&)\s+|,\s+(?:and\s+)?)"
_HEAD = rf"({_PART}(?:{_JOIN}{_PART})*)"  # "Background/Objectives", "Objective(s)"
_CANDIDATE = re.compile(rf"(?:^|(?<=[.!?)\]\"”]\s)|(?<=[.!?])|(?<=\s))\s*{_HEAD}", re.I)
_SENTENCE_END = re.compile(r"(?:^|[.!?)\]\"”])\s*$")
_MAIN = frozenset(
    [
        "background",
        "methods",
        "results",
        "conclusions",
        "conclusion",
        "discussion",
        "objectives",
        "objective",
        "interpretation",
        "findings",
    ]
)
# Heading words that also open ordinary sentences; as headings only before ":", glued or in
# CAPITALS ("Design: …", "DesignWe …", "DESIGN We …"; not "Design of …", "Patients with …").
_AMBIGUOUS = frozenset(
    {
        "design",
        "setting",
        "analysis",
        "approach",
        "implementation",
        "problem",
        "context",
        "scope",
        "exposure",
        "registration",
        "summary",
        "abstract",
        "patients",
        "participants",
    }
)
_COLON = re.compile(r"\s*:")
_SPLIT_PARTS = re.compile(r"\s*(?:/|&|,|\band\b)\s*")
_AT = re.compile(_HEAD, re.I)  # a heading right after another ("Abstract Motivation …")
_AFTER = re.compile(r"\s*[:.—–]\s*|\s*")
_ACRONYM = re.compile(r"[A-Z0-9]+(?![a-z])")
_NON_WORD = re.compile(r"[^\w]+")
_ADDRESS = re.compile(r"\S*(?:@|://|www\.)")


@dataclass(frozen=True)
class Section:
    """One part of an abstract: its heading (lower-case, or "" when none), role and text."""

    heading: str
    role: str | None
    text: str


def split_sections(text: str) -> list[Section]:
    """The abstract cut at its headings; one unheaded section when it has none."""
    marks = _marks(text)
    if not marks:
        return [Section("", None, text.strip())] if text.strip() else []
    sections: list[Section] = []
    if text[: marks[0][0]].strip():
        sections.append(Section("", None, text[: marks[0][0]].strip()))
    for i, (_, body_start, heading) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        body = text[body_start:end].strip()
        if body:
            sections.append(Section(heading, heading_role(heading), body))
    return sections


def heading_role(heading: str) -> str | None:
    """The role a (lower-case) heading names; a combined one ("results/discussion") names
    its parts' role when they agree, DROP when any part is dropped, else None."""
    if heading in HEADINGS:
        return HEADINGS[heading]
    roles = {HEADINGS.get(_unqualified(p)) for p in _SPLIT_PARTS.split(heading) if p}
    roles -= {None} if len(roles) > 1 and not _unnamed(heading) else set()
    if DROP in roles:
        return DROP
    return roles.pop() if len(roles) == 1 else None


def _unqualified(part: str) -> str:
    """A heading part without its qualifier ("main results" → "results")."""
    first, _, rest = part.partition(" ")
    return rest if first in _QUALIFIERS and rest and part not in HEADINGS else part


def _unnamed(heading: str) -> bool:
    """A compound with a part that is no heading at all ("results and x")."""
    parts = [_unqualified(p) for p in _SPLIT_PARTS.split(heading) if p]
    return any(p not in HEADINGS and p not in _QUALIFIERS for p in parts)


def _marks(text: str) -> list[tuple[int, int, str]]:
    """(heading start, body start, heading) of every heading, in order."""
    marks: list[tuple[int, int, str]] = []
    for candidate in _CANDIDATE.finditer(text):
        if marks and candidate.start(1) < marks[-1][1]:
            continue
        mark = _accept(text, candidate)
        while mark is not None:
            marks.append(mark)
            following = _AT.match(text, mark[1])
            mark = _accept(text, following, chained=True) if following else None
    return marks


def is_structured(sections: list[Section]) -> bool:
    """True when at least two sections carry a role from their heading."""
    return sum(1 for s in sections if s.role not in (None, DROP)) >= 2


def _accept(text: str, match: re.Match[str], chained: bool = False) -> tuple[int, int, str] | None:
    """(heading start, body start, heading) when the candidate really is a heading."""
    while _acronym_follows(text, match) or _cut_into_word(match.group(1)):
        shorter = _shorter(text, match)  # "ConclusionSS …" is "Conclusion" + "SS …"
        if shorter is None:
            return None
        match = shorter
    word = match.group(1)
    heading = " ".join(word.lower().replace("(s)", "").replace(" / ", "/").split())
    if not (word.isupper() or word[0].isupper()) or not _names_a_heading(heading):
        return None
    before = text[max(0, match.start(1) - 4) : match.start(1)]
    at_start = chained or bool(_SENTENCE_END.search(before))
    known = all(part in HEADINGS for part in heading.split("/"))
    colon_next = bool(_COLON.match(text, match.end()))
    loose = (not at_start or not known) and not colon_next  # else only "Heading: …"
    if loose and not _lost_line_break(text, match, heading):
        return None
    sep = _AFTER.match(text, match.end())
    body = sep.end() if sep else match.end()
    if body >= len(text) or not _fits_text(text, match, heading, body):
        return None
    return match.start(1), body, heading


def _names_a_heading(heading: str) -> bool:
    """A known heading, or a compound of them ("measurements and main results")."""
    if heading in HEADINGS or heading_role(heading) is not None:
        return True
    return any(_unqualified(p) in HEADINGS for p in _SPLIT_PARTS.split(heading))


def _fits_text(text: str, match: re.Match[str], heading: str, body: str | int) -> bool:
    """Whether what follows the heading reads as the start of its text."""
    word, start = match.group(1), int(body)
    sep = text[match.end() : start]
    follows = text[start : start + 1]
    colon = any(ch in sep for ch in ":.—–")
    if not sep and follows.islower():  # "Contactsname@host" only; "Aimed", "Resultsshow" not
        return heading in _ANY_TEXT and bool(_ADDRESS.match(text, match.end()))
    if not (colon or follows.isupper() or follows.isdigit() or follows in '("“'):
        return False
    if not colon and not sep and word.isupper() and follows.isupper():
        return False  # "RESULTSHOW": an all-capitals word, not a heading before text
    if not colon and heading in _AMBIGUOUS and not word.isupper() and sep:
        following = _AT.match(text, start)  # "Abstract Background …" is two headings
        return bool(following and following.group(1)[0].isupper())
    return True  # "Design of …", "Patients with …" open ordinary sentences (see above)


def _acronym_follows(text: str, match: re.Match[str]) -> bool:
    """A plural heading glued to an acronym that really starts with its "S" ("SS", "SNPs")."""
    word, rest = match.group(1), text[match.end() :]
    if word.isupper():
        return False
    singular = word[:-1].lower().split("/")[-1]
    if not (word.endswith(("s", "S")) and singular in HEADINGS and rest[:1].isupper()):
        return False
    token = _ACRONYM.match(rest)
    if token is None:
        return False
    acronym = word[-1].upper() + token.group(0)
    return f" {acronym} " in f" {_NON_WORD.sub(' ', text[: match.start()])} "


def _lost_line_break(text: str, match: re.Match[str], heading: str) -> bool:
    """ "… of genotypes Results A total …": a main heading whose line break and full stop
    were lost, between a lower-case word and a capitalized one (not "Microwave Background")."""
    before = text[max(0, match.start(1) - 30) : match.start(1)].split()
    after = text[match.end() : match.end() + 2]
    return (
        heading in _MAIN
        and bool(before)
        and before[-1].isalpha()
        and before[-1].islower()
        and after[:1] == " "
        and after[1:2].isupper()
    )


def _cut_into_word(word: str) -> bool:
    """ "BackgroundS" of "BackgroundSteroid": a Title-case heading ending on a capital."""
    return len(word) > 2 and not word.isupper() and word[-1].isupper()


def _shorter(text: str, match: re.Match[str]) -> re.Match[str] | None:
    """The same candidate one letter shorter, if that is still a heading name."""
    return _AT.match(text, match.start(1), match.end(1) - 1)
