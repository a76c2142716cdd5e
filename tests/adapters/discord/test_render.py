"""Discord rendering: content under 2,000, paper embeds within limits, escaped, buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.markdown import escape, split_text
from adapters.discord.parse import decode_custom_id
from adapters.discord.render import RENDERERS, fingerprint, render
from bot.digest.model import Digest, DigestSection
from bot.messages import Button, Conversation
from bot.posts import POST_TYPES, Answer, Reply, Typing, UnknownPost, digest_posts
from tests.bot.digest.test_render import HOSTILE, digest_paper, summary

HERE = Conversation("discord", "1300000000000000200", "1300000000000000100")


def digest_of(*papers: object) -> Digest:
    return Digest(channel_id=1, digest_date=date(2025, 4, 28), language="en",
                  sections=(DigestSection("cs.CL", tuple(papers)),),  # type: ignore[arg-type]
                  matched=12, themes=("agents *and* tools",),
                  notes=("Summaries are extracts.",))  # fmt: skip


def test_renderers_cover_every_post_type_but_typing() -> None:
    assert set(RENDERERS) == set(POST_TYPES) - {Typing}


def test_an_unknown_post_type_raises() -> None:
    @dataclass(frozen=True)
    class Poll(Reply):
        pass

    with pytest.raises(UnknownPost, match="Poll"):
        render(Poll(HERE, "Which paper next?"))


def test_header_has_date_counts_themes_and_notes() -> None:
    [part] = render(digest_posts(digest_of(digest_paper()), HERE)[0])
    content = part["content"]
    assert content.startswith("## Papers for 2025-04-28\n1 new paper (of 12")
    assert "cs.CL (1)" in content and "• agents \\*and\\* tools" in content
    assert "-# Summaries are extracts." in content
    assert part["allowed_mentions"] == {"parse": []} and "components" not in part


def test_a_paper_is_an_escaped_embed_with_buttons() -> None:
    paper = digest_paper(title=HOSTILE, authors=("@everyone", "B"),
                         summary=summary(one_line=HOSTILE))  # fmt: skip
    [part] = render(digest_posts(digest_of(paper), HERE)[1])
    [embed] = part["embeds"]
    assert embed["title"].startswith("1. A <b>bold</b>")  # titles show no Markdown
    assert embed["url"] == "https://arxiv.org/abs/2504.00001"
    description = embed["description"]
    assert "\\*starry\\* \\_under\\_" in description and "\\[x\\](http://evil)" in description
    assert "\\<@U123>" in description and "\\`code\\`" in description
    assert description.endswith("[abs](https://arxiv.org/abs/2504.00001) · "
                                "[PDF](https://arxiv.org/pdf/2504.00001v1)")  # fmt: skip
    assert "@everyone" in embed["footer"]["text"] and part["allowed_mentions"] == {"parse": []}
    [row] = part["components"]
    ids = [decode_custom_id(b["custom_id"]) for b in row["components"]]
    assert ids[0] == ("like", "arxiv:2504.00001") and len(ids) == 5


def test_a_huge_paper_stays_within_embed_limits() -> None:
    long = "word " * 3000
    paper = digest_paper(title=long, summary=summary(one_line=long, method=long, result=long))
    [part] = render(digest_posts(digest_of(paper), HERE)[1])
    [embed] = part["embeds"]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    assert total <= 6000 and embed["description"].endswith("v1)")


def test_buttons_fill_rows_of_five_and_skip_what_cannot_fit() -> None:
    buttons = tuple(Button("like", str(n), f"k{n}") for n in range(30))
    buttons += (Button("like", "long", "x" * 120),)
    [part] = render(Reply(HERE, "pick", buttons=buttons))
    rows = part["components"]
    assert len(rows) == 5 and all(len(r["components"]) == 5 for r in rows)
    assert all(len(b["custom_id"]) <= 100 for r in rows for b in r["components"])


def test_ephemeral_and_reply_to_are_kept() -> None:
    [part] = render(Answer(HERE, "yes", reply_to="123", ephemeral=True))
    assert part["flags"] == 64
    assert part["message_reference"] == {"message_id": "123", "fail_if_not_exists": False}


def test_the_fingerprint_matches_the_message_discord_gives_back() -> None:
    [part] = render(digest_posts(digest_of(digest_paper()), HERE)[1])
    returned = part | {"id": "1", "author": {"id": "2"}, "timestamp": "now", "flags": 0}
    assert fingerprint(returned) == fingerprint(part)
    [other] = render(digest_posts(digest_of(digest_paper(title="Other")), HERE)[1])
    assert fingerprint(other) != fingerprint(part)


def test_escape_leaves_nothing_markdown_can_read() -> None:
    assert escape("*a* _b_ ~~c~~ `d` > e # f [g](h) <@1> ||i||") == (
        "\\*a\\* \\_b\\_ \\~\\~c\\~\\~ \\`d\\` > e # f \\[g\\](h) \\<@1> \\|\\|i\\|\\|"
    )
    assert (
        escape("# h\n- li\n  > q\n12. x 2025-04-28") == "\\# h\n\\- li\n  \\> q\n12\\. x 2025-04-28"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n*"), max_size=6000))
def test_split_text_keeps_every_piece_under_the_limit_and_loses_nothing(text: str) -> None:
    pieces = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in pieces)
    assert "".join(text.split()) == "".join("".join(pieces).split())


def test_a_code_block_cut_in_two_is_closed_and_reopened() -> None:
    text = "```\n" + "\n".join(f"print({n})" for n in range(400)) + "\n```"
    pieces = split_text(text, 2000)
    assert len(pieces) >= 2 and all(len(p) <= 2000 for p in pieces)
    assert all(p.startswith("```") and p.endswith("```") for p in pieces)
