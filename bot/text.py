"""Display normalization of titles and abstracts: HTML, entities, inline LaTeX, whitespace."""

from __future__ import annotations

import html
import re
import unicodedata

# Real HTML/JATS/MathML tags only, so text such as `a < b` or a `<!channel>` mention survives.
_TAG_NAMES = (
    "a|abbr|b|big|blockquote|body|br|caption|center|cite|code|dd|del|dfn|div|dl|dt|em|font|"
    "h[1-6]|head|hr|html|i|img|ins|kbd|li|mark|ol|p|pre|q|s|samp|small|span|strike|strong|"
    "sub|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|var|section|article|figure|figcaption"
)
_ATTRS = r"""(?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?)*\s*/?"""
_TAG = re.compile(
    rf"</?(?:(?:{_TAG_NAMES})|(?:jats|mml|xhtml|m):[\w.-]+)\b{_ATTRS}>", re.IGNORECASE
)
_BLOCK_TAG = re.compile(
    r"^</?(?:p|div|br|hr|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|section|jats:p|jats:sec"
    r"|jats:title)\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_MATH_DELIMS = (
    re.compile(r"\\\((.*?)\\\)", re.DOTALL),
    re.compile(r"\\\[(.*?)\\\]", re.DOTALL),
    re.compile(r"\$\$(.+?)\$\$", re.DOTALL),
    re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=[^\s\\])\$(?![\d$])"),
)
_ARG_COMMANDS = re.compile(
    r"\\(?:text(?:it|bf|rm|sf|tt|sc|up|normal)?|emph|math(?:rm|bf|it|sf|tt|cal|bb|frak|scr)"
    r"|bm|boldsymbol|operatorname|mbox|hbox|underline|overline|textsuperscript|textsubscript)"
    r"(?:\s*\{([^{}]*)\}|\s+([A-Za-z0-9])(?![A-Za-z0-9]))"
)
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}"}
_ESCAPED_CHAR = re.compile(r"\\([%&_#${}])")
_SPACING = re.compile(r"\\[,;:! ]|\\quad\b|\\qquad\b")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)[lr]?(?![A-Za-z])")
_COMMAND = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])")
_TIE = re.compile(r"(?<=[^\s/\\:])~(?=[^\s/])")
_ACCENT_MARKS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
}
_SYMBOL_ACCENT = re.compile(r"""\\(['`^"~=.])\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))""")
_LETTER_ACCENT = re.compile(r"\\([cuvHkr])(?:\s*\{\s*([A-Za-z])\s*\}|\s+([A-Za-z]))")
_BRACE_GROUP = re.compile(r"(?<![\\}])(\\[A-Za-z]+)?\{([^{}\\$]*)\}")
_BRACED_SCRIPT = re.compile(r"([_^])\{([^{}]{1,40})\}")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")

_GREEK = (
    "alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ vartheta ϑ "
    "iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π varpi ϖ rho ρ varrho ϱ sigma σ varsigma ς "
    "tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω Gamma Γ Delta Δ Theta Θ Lambda Λ "
    "Xi Ξ Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω"
)
_SYMBOLS = (
    "hbar ħ ell ℓ infty ∞ pm ± mp ∓ times × div ÷ cdot · leq ≤ le ≤ geq ≥ ge ≥ neq ≠ ne ≠ "
    "approx ≈ sim ∼ simeq ≃ equiv ≡ propto ∝ ll ≪ gg ≫ to → rightarrow → leftarrow ← "
    "Rightarrow ⇒ leftrightarrow ↔ mapsto ↦ partial ∂ nabla ∇ sum ∑ prod ∏ int ∫ in ∈ "
    "notin ∉ subset ⊂ subseteq ⊆ cup ∪ cap ∩ emptyset ∅ forall ∀ exists ∃ neg ¬ wedge ∧ "
    "vee ∨ oplus ⊕ otimes ⊗ dagger † langle ⟨ rangle ⟩ ldots … dots … cdots ⋯ circ ∘ "
    "degree ° prime ′ sqrt √ star ⋆ ast ∗ ast ∗ S § dag † textendash – textemdash — "
    "textasciitilde ~ textbackslash \\ l ł L Ł o ø O Ø ss ß aa å AA Å ae æ AE Æ oe œ OE Œ "
    "i ı"
)


def _pairs(spec: str) -> dict[str, str]:
    words = spec.split()
    return dict(zip(words[::2], words[1::2], strict=True))


_COMMAND_TEXT = {**_pairs(_SYMBOLS), **_pairs(_GREEK)}


def strip_tags(text: str) -> str:
    """Remove HTML/JATS/MathML tags (block tags become a space) and comments."""
    text = _COMMENT.sub(" ", text)
    return _TAG.sub(lambda m: " " if _BLOCK_TAG.match(m.group(0)) else "", text)


def render_latex(text: str) -> str:
    """Drop inline math delimiters (keeping the math) and render common LaTeX commands."""
    for pattern in _MATH_DELIMS:
        text = pattern.sub(lambda m: m.group(1), text)
    for _ in range(5):  # nested \textbf{\emph{x}}
        new = _ARG_COMMANDS.sub(lambda m: m.group(1) if m.group(2) is None else m.group(2), text)
        if new == text:
            break
        text = new
    text = _SPACING.sub(" ", text)
    text = _SIZING.sub("", text)
    text = _accents(text)
    text = _COMMAND.sub(lambda m: _COMMAND_TEXT.get(m.group(1), m.group(0)), text)
    text = _BRACED_SCRIPT.sub(lambda m: m.group(1) + m.group(2), text)
    text = _BRACE_GROUP.sub(lambda m: m.group(0) if m.group(1) else m.group(2), text)
    text = _ESCAPED_CHAR.sub(lambda m: _ESCAPES[m.group(1)], text)
    return _TIE.sub(" ", text)


def _accents(text: str) -> str:
    """Render accent commands such as `\\'e`, `\\"{o}`, `\\c{c}`, `\\~n` as letters."""

    def combine(match: re.Match[str]) -> str:
        """The letter with its combining accent, composed (NFC)."""
        letter = match.group(2) or match.group(3)
        return unicodedata.normalize("NFC", letter + _ACCENT_MARKS[match.group(1)])

    return _LETTER_ACCENT.sub(combine, _SYMBOL_ACCENT.sub(combine, text))


def collapse_whitespace(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, NBSP…) into one space; trim."""
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def display_text(raw: str) -> str:
    """A title or abstract as it should be shown: no markup, entities or LaTeX noise."""
    if not raw:
        return ""
    text = strip_tags(raw)
    text = html.unescape(text)
    text = render_latex(text)
    return collapse_whitespace(text)
