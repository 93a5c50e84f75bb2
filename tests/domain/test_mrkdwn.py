import pytest

from bot.domain.mrkdwn import escape, unescape_slack


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> <!everyone>", "&lt;!here&gt; &lt;!everyone&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("<https://evil.example|docs>", "&lt;https://evil.example|docs&gt;"),
        ("R&D", "R&amp;D"),
        ("&lt;", "&amp;lt;"),  # already-escaped-looking text is escaped again, not trusted
        ("a < b > c", "a &lt; b &gt; c"),
        ("*bold* _it_ `code` ~x~ > quote", "*bold* _it_ `code` ~x~ &gt; quote"),
        ("障害 🔥", "障害 🔥"),
        ("", ""),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_escaped_text_has_no_markup_left() -> None:
    escaped = escape("<!channel> <@U1> <#C1> <https://x|y> &amp;")
    assert "<" not in escaped and ">" not in escaped


@pytest.mark.parametrize(
    ("incoming", "text"),
    [
        ("R&amp;D &lt;prod&gt;", "R&D <prod>"),
        ("&amp;lt;", "&lt;"),  # the user typed "&lt;" literally
        ("&amp;amp;", "&amp;"),
        ("&quot; &#39; &nbsp;", "&quot; &#39; &nbsp;"),  # Slack escapes only three characters
        ("<@U123|alice>", "<@U123|alice>"),
        ("plain", "plain"),
    ],
)
def test_unescape_slack(incoming: str, text: str) -> None:
    assert unescape_slack(incoming) == text


@pytest.mark.parametrize("text", ["R&D <prod> &amp; &lt;x&gt;", "&&&<<<>>>", "a&b;c"])
def test_round_trip(text: str) -> None:
    assert unescape_slack(escape(text)) == text


def test_readable_turns_slack_markup_into_words_that_cannot_mention_or_link():
    from bot.domain.mrkdwn import readable

    text = "<!channel> <!here> <@U1|alice> <@U2> <#C1|ops> <https://evil.example|docs> <https://a.b> [x](y)"
    assert readable(text) == (
        "@channel @here @alice @U2 #ops docs (https://evil.example) https://a.b \\[x\\](y)"
    )
    assert readable("ロールバック完了 :tada: *ok*") == "ロールバック完了 :tada: *ok*"
