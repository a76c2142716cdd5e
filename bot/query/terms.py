"""Text normalization shared by the parser, the index and the naive matcher.

A token is a maximal run of letters/digits after case- and accent-folding; every other
character (hyphens, slashes, apostrophes, punctuation) separates tokens, so
`large-language-model` and `Large Language Models` give the same tokens. Each token is then
lightly stemmed for plurals (`models` -> `model`, `studies` -> `study`) with an exception
list for words that merely end in s (`analysis`, `bias`, `physics`, `always`).
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN_RE = re.compile(r"[^\W_]+")
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_EXTRA_FOLDS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})
_VOWELS = frozenset("aeiouy")


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a table literal."""
    return text.split()


# Words ending in "s" that are not plurals (or whose plural is the same word).
KEEP_AS_IS: frozenset[str] = frozenset(
    _words(
        "always perhaps whereas various thus plus minus bonus bias gas atlas canvas alias "
        "pancreas christmas texas chaos cosmos ethos pathos logos kudos lens news series "
        "species means besides sometimes nevertheless physics mathematics economics statistics "
        "dynamics robotics genomics proteomics metabolomics transcriptomics linguistics "
        "graphics optics ethics electronics mechanics kinetics analytics informatics "
        "bioinformatics semantics logistics acoustics photonics thermodynamics hydrodynamics "
        "aerodynamics biomechanics genetics epigenetics pharmacokinetics diagnostics "
        "electrodynamics pragmatics phonetics radiomics pathomics omics politics athletics "
        "aeronautics astronautics cybernetics"
    )
)

# Irregular plurals mapped to their singular.
IRREGULAR: dict[str, str] = dict(
    pair.split(":")
    for pair in _words(
        "analyses:analysis hypotheses:hypothesis theses:thesis syntheses:synthesis "
        "diagnoses:diagnosis axes:axis indices:index matrices:matrix vertices:vertex "
        "appendices:appendix criteria:criterion phenomena:phenomenon movies:movie "
        "cookies:cookie children:child mice:mouse men:man women:woman teeth:tooth "
        "feet:foot"
    )
)

_KEEP_ENDINGS = ("ss", "us", "is")
_ES_ENDINGS = ("sses", "xes", "ches", "shes", "zzes")


def fold(text: str) -> str:
    """Case-fold and strip accents (`Müller` -> `muller`, `Straße` -> `strasse`)."""
    if text.isascii():  # nothing to decompose or translate: folding is lower-casing
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(token: str) -> str:
    """Reduce an already folded token's plural to its singular, conservatively."""
    if token in IRREGULAR:
        return IRREGULAR[token]
    if not token.endswith("s") or token in KEEP_AS_IS:
        return token
    if len(token) <= 3:
        # "its", "gas", "has" stay; vowel-less acronyms such as "lms"/"vms" lose the s.
        return token[:-1] if len(token) == 3 and not _VOWELS & set(token[:2]) else token
    if token.endswith(_KEEP_ENDINGS):
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(_ES_ENDINGS):
        return token[:-2]
    return token[:-1]


def raw_tokens(text: str) -> list[str]:
    """Folded tokens of `text` without stemming."""
    return _TOKEN_RE.findall(_POSSESSIVE_RE.sub("", fold(text)))


def tokenize(text: str) -> list[str]:
    """Folded, stemmed tokens of `text`, in order; the list index is the token position."""
    return [stem(tok) for tok in raw_tokens(text)]
