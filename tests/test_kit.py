"""`fit`: the one way a text is shortened to a Block Kit limit (handlers/kit.py)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.mrkdwn import escape
from handlers.kit import fit, packed


def test_a_text_within_the_limit_is_kept_as_it_is():
    assert fit("a" * 3000) == "a" * 3000


def test_a_longer_text_is_cut_visibly_within_the_limit():
    assert fit("word " * 10, 12) == "word word w…"


def test_the_cut_never_splits_a_mention_a_link_a_date_or_an_escape():
    assert fit("see <@U0123456789> now", 12) == "see…"
    assert fit("x <https://example.com|the doc>", 20) == "x…"
    assert fit("a &amp; b", 6) == "a…"
    assert fit("a &amp; b", 8) == "a &amp;…"
    assert fit("<!date^1640000000^{time}|10:00> ok", 30) == "…"


def test_plain_text_has_no_markup_to_keep_whole():
    assert fit("INC-1: <b> & more", 10, plain=True) == "INC-1: <b…"


PIECES = st.one_of(
    st.text(alphabet="ab <>&;\n", max_size=12).map(escape),  # what people write, escaped
    st.sampled_from(["<@U0123>", "<#C1|general>", "<https://example.com|the doc>", "&amp;"]),
)


@given(st.lists(PIECES, max_size=40).map("".join), st.integers(min_value=1, max_value=80))
def test_fit_is_within_the_limit_a_prefix_and_ends_on_no_half_markup(text, limit):
    cut = fit(text, limit)
    assert len(cut) <= limit
    if cut != text:
        kept = cut.removesuffix("…")
        assert text.startswith(kept)
        assert not re.search(r"<[^>]*$", kept) and not re.search(r"&[a-z]*$", kept)


def test_lines_are_packed_whole_in_order_and_each_pack_fits():
    lines = [f"line {n} " + "x" * 40 for n in range(10)]
    texts = packed(lines, 120)
    assert all(len(t) <= 120 for t in texts) and len(texts) == 5
    assert "\n".join(texts) == "\n".join(lines)
    assert packed(["y" * 200], 120) == ["y" * 119 + "…"]
