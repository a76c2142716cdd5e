"""Person names as authors are written: "Shirui Pan", "S. Pan", "Pan, Shirui", "Angaroni, F.".

Two names are the same person when their surnames agree and their given names are
compatible: each given name the two both have is equal or an initial of the other
("S." ~ "Shirui", "J.-P." ~ "Jean-Pierre"); a missing given name matches anything. Case and
accents are folded ("Müller" ~ "MULLER"). nameparser splits the name into its parts (it knows
"Surname, Given" order, particles such as "van der" and titles such as "Dr.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName

from bot.query.terms import fold, tokenize

_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class PersonName:
    """A name's folded surname words and given-name words (initials as single letters)."""

    surname: tuple[str, ...]
    given: tuple[str, ...]

    @property
    def key(self) -> str:
        """The index token of the surname's last word (how the author index finds it)."""
        tokens = tokenize(self.surname[-1]) if self.surname else []
        return tokens[-1] if tokens else ""


def _words(text: str) -> tuple[str, ...]:
    return tuple(_LETTERS.findall(fold(text)))


@lru_cache(maxsize=65536)
def person_name(text: str) -> PersonName | None:
    """The parts of a written name; None when it has no letters."""
    cleaned = " ".join(text.split())
    if not _words(cleaned):
        return None
    parsed = HumanName(cleaned)
    surname = _words(parsed.last)
    given = _words(f"{parsed.first} {parsed.middle}")
    if not surname:  # a single word ("Genoni"): a surname alone
        surname, given = given[-1:], ()
    return PersonName(surname, given)


def _given_compatible(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    for a, b in zip(left, right, strict=False):
        if a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
            continue
        return False
    return True


def same_person(query: PersonName, author: PersonName) -> bool:
    """True when `author` can be the person `query` names (surname and compatible initials)."""
    return query.surname == author.surname and _given_compatible(query.given, author.given)


def names_match(query: str, author: str) -> bool:
    """`same_person` on two written names (False when either has no letters)."""
    wanted, candidate = person_name(query), person_name(author)
    return wanted is not None and candidate is not None and same_person(wanted, candidate)
