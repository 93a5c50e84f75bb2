"""Slack mrkdwn injection and template injection in every user-controlled field.

What people type (titles, notes, mark texts, edits, captured messages, display names, action
items, feedback, waiver reasons, retro notes) is echoed to Slack in many places. None of it may
ping (`<!channel>`, `<!here>`, `<@U…>`), link (`<#C…>`, `<https://…|…>`) or smuggle an entity:
every text and mrkdwn block sent to Slack is scanned for the hostile literals. And `{{ … }}` or
`{% … %}` typed by someone is printed as typed in the rendered postmortem, never evaluated.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.hardening.helpers import call_texts, reply_texts
from tests.support.clock import FakeClock
from tests.support.flows import declare, eventually, reaction, send_event, stored
from tests.support.review import CLOSE, buttons, click, dms, review_policy, write_required
from tests.support.slack_requests import element_state, view_submission_payload
from tests.test_cli import base_env, run

# As Slack delivers them in command text: real markup for what Slack turned into mentions and
# links, and the entity Slack makes of a typed "&lt;" (so the person literally typed "&lt;").
HOSTILE_WIRE = (
    "<!channel> <!here> <@U123|boss> <#C123|general> <https://evil.example|docs> "
    "&amp;lt;!everyone&amp;gt;"
)
# The same, as a person types it into a form (modals are not escaped by Slack).
HOSTILE_TEXT = (
    "<!channel> <!here> <@U123|boss> <#C123|general> <https://evil.example|docs> &lt;!everyone&gt;"
)
# None of these may reach Slack's mrkdwn: each would ping, link or render as markup.
FORBIDDEN = (
    "<!channel>",
    "<!here>",
    "<!everyone",
    "<@U123",
    "<#C123",
    "<https://evil",
    "&lt;!everyone&gt;",  # the typed entity, unescaped: it would show as <!everyone>
)
ESCAPED = "&lt;!channel&gt;"  # what the escaped echo looks like

START = datetime.fromtimestamp(1_700_000_000 - 3600, UTC)  # before the fake's message stamps


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def policy():
    return review_policy(author={"after": "2d", "every": "2d"}, reviewer={"after": "1d"})


def injected(texts) -> list[tuple[str, str]]:
    return [(bad, text) for text in texts for bad in FORBIDDEN if bad in text]


async def test_hostile_text_in_every_field_never_reaches_slack_raw(bot, clock):
    bot.fake.users["U6"] = {"name": HOSTILE_TEXT, "real_name": HOSTILE_TEXT}
    replies = []

    async def say(text: str, **kw):
        reply = await bot.slack.command(text, **kw)
        assert reply.status == 200, reply.body
        replies.append((text, reply))
        return reply

    # Declared: the title is echoed in the declaration, the summary, nudges and publication.
    number, channel = await declare(bot, f"--sev 2 Title {HOSTILE_WIRE}", user="U1")
    note = await say(f"note {HOSTILE_WIRE}", channel_id=channel)
    assert ESCAPED in note.json["text"]
    mark = await say(f"mark mitigated {HOSTILE_WIRE}", channel_id=channel)
    assert ESCAPED in mark.json["text"]
    await say("role commander <@U6>", channel_id=channel)  # a hostile display name
    edit = await say(f"note edit 2 edited {HOSTILE_WIRE}", channel_id=channel)
    assert ESCAPED in edit.json["text"]
    await say(f"action add Fix it {HOSTILE_WIRE} --owner <@U8>", channel_id=channel)

    # A captured message, shown back by /incident timeline.
    ts = bot.fake.post_as_user(channel, "U5", f"captured {HOSTILE_WIRE}")
    await send_event(bot, reaction(channel, ts, "U7"))
    await eventually(
        lambda: stored(bot, number), lambda r: any(e.kind == "message" for e in r.timeline)
    )
    timeline = await say("timeline", channel_id=channel)
    shown = timeline.json["text"]
    assert shown.count(ESCAPED) >= 3, shown  # the note, the mark and the captured message

    # Closed with a draft; the author is nudged (the title is in the nudge).
    await say(f"{CLOSE} --reviewers <@U8>", channel_id=channel, user_id="U1")
    await bot.fake.wait_for(
        "files.completeUploadExternal", lambda c: "retro" in c.args.get("initial_comment", "")
    )
    clock.advance(days=2, seconds=1)
    await bot.runtime.nudges.tick()
    [nudge] = dms(bot, "U1")
    assert ESCAPED in nudge.args["text"]

    # Review: changes requested with hostile feedback, then approved and published.
    await write_required(bot.runtime.deps.storage, number)
    await say("postmortem ready", channel_id=channel, user_id="U1")
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    await click(bot, request, "review_request_changes", "U8", trigger_id="tr.changes")
    modal = (
        await bot.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == "tr.changes")
    ).args["view"]
    submitted = await bot.slack.interactive(
        view_submission_payload(
            modal["callback_id"],
            {"comment": {"comment": element_state("plain_text_input", HOSTILE_TEXT)}},
            private_metadata=modal["private_metadata"],
            user_id="U8",
        )
    )
    assert submitted.status == 200
    replies.append(("changes", submitted))
    feedback = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "asked for changes" in c.args["text"]
    )
    assert ESCAPED in feedback.args["text"]
    await say("postmortem ready", channel_id=channel, user_id="U1")
    again = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8"), count=2
    )
    assert buttons(again[1])
    await click(bot, again[1], "review_approve", "U8")
    published = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "CPUBLIC"
    )
    assert ESCAPED in json.dumps(published.args["blocks"])
    await say("postmortem", channel_id=channel)
    await say(f"retro held {HOSTILE_WIRE}", channel_id=channel)

    # A second incident, waived with a hostile reason.
    second, other = await declare(bot, f"Second {HOSTILE_WIRE}", user="U1")
    await say(CLOSE, channel_id=other, user_id="U1")
    await bot.fake.wait_for("canvases.create", lambda c: f"INC-{second}" in c.args["title"])
    waived = await say(f"postmortem waive {HOSTILE_WIRE}", channel_id=other)
    assert ESCAPED in waived.json["text"]

    # Everything the bot said, to anyone, anywhere.
    said = [text for call in bot.fake.calls for text in call_texts(call)]
    said += [text for _, reply in replies for text in reply_texts(reply)]
    assert any(ESCAPED in text for text in said)
    assert injected(said) == []


async def test_template_syntax_in_user_text_is_shown_literally(bot, sqlite_url):
    title = "{{ 7*7 }} and {% for x in [1] %}LOOP{% endfor %}"
    number, channel = await declare(bot, title)
    await bot.slack.command(f"note {title}", channel_id=channel)
    await bot.slack.command("note {{ config }} {{ 7*7 }}", channel_id=channel)
    declared = await bot.fake.wait_for("response_url", lambda c: "Declared" in c.args["text"])
    assert "{{ 7*7 }}" in declared.args["text"]

    await bot.slack.command(CLOSE, channel_id=channel)
    canvas = await bot.fake.wait_for("canvases.create")
    markdown = canvas.args["document_content"]["markdown"]

    assert markdown.count("{{ 7*7 }}") >= 3, markdown  # the heading and two timeline rows
    assert "{{ config }}" in markdown
    # Markdown-escaped brackets, but the tags themselves untouched and the loop not run.
    assert "{% for x in \\[1\\] %}LOOP{% endfor %}" in markdown, markdown
    assert "49" not in markdown, markdown
    assert "<Config" not in markdown

    code, out, err = await run(
        "export", f"INC-{number}", "--format", "md", env=base_env(DATABASE_URL=sqlite_url)
    )
    assert code == 0, err
    assert "{{ 7*7 }}" in out and "{% endfor %}" in out and "49" not in out


def test_the_scan_sees_texts_blocks_and_comments_but_not_plain_text():
    """Guard the scan itself, so the test above can't pass by looking nowhere."""
    from tests.support.fake_slack import Call

    def scanned(method: str, args: dict) -> list[tuple[str, str]]:
        return injected(call_texts(Call(method, args, {})))

    assert scanned("chat.postMessage", {"text": "hi <!channel>"})
    assert scanned(
        "chat.update",
        {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "<@U123>"}}]},
    )
    assert scanned("response_url", {"text": "&lt;!everyone&gt;"})
    assert scanned("files.completeUploadExternal", {"initial_comment": "<!here>"})
    assert scanned(
        "chat.postMessage",
        {"blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "<#C123>"}]}]},
    )
    # plain_text is shown as typed by Slack: a header can hold the raw title harmlessly.
    assert not scanned(
        "chat.postMessage",
        {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "<!channel>"}}]},
    )
    assert not scanned("chat.postMessage", {"text": "&lt;!channel&gt; &amp;lt;!everyone&amp;gt;"})
