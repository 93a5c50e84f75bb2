"""The test-side Slack works with the real slack_sdk client and the real Bolt app."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from .fake_slack import Call, FakeSlack
from .slack_requests import (
    SlackClient,
    block_actions_payload,
    element_state,
    event_body,
    interactive_body,
    sign,
    slash_command_body,
    view_submission_payload,
)

SECRET = "test-signing-secret"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as f:
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url)


async def test_base_url_is_loopback_with_trailing_slash(fake: FakeSlack) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:") and fake.base_url.endswith("/api/")
    assert fake.response_url("x") == fake.base_url.removesuffix("api/") + "response/x"


async def test_auth_test(fake: FakeSlack, client: AsyncWebClient) -> None:
    res = await client.auth_test()
    assert (res["user_id"], res["bot_id"], res["team_id"]) == ("UBOT", "BBOT", "T1")
    assert fake.calls_to("auth.test")[0].token == "xoxb-test"


async def test_post_message_is_recorded_with_decoded_args(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = await client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = await client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])
    call = fake.calls_to("chat.postMessage")[0]
    assert call.args == {"channel": "C1", "text": "hi", "blocks": blocks}
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert first["ts"] == "1700000000.000100" and second["ts"] > first["ts"]
    assert first["channel"] == "C1" and first["message"]["blocks"] == blocks
    assert fake.messages[("C1", second["ts"])]["thread_ts"] == first["ts"]
    # blocks in a form body (api_call with params=) arrive as a JSON string and are decoded
    await client.api_call("chat.postMessage", params={"channel": "C", "blocks": json.dumps(blocks)})
    assert fake.calls_to("chat.postMessage")[-1].args["blocks"] == blocks


async def test_update_permalink_pin_ephemeral(fake: FakeSlack, client: AsyncWebClient) -> None:
    ts = (await client.chat_postMessage(channel="C1", text="v1"))["ts"]
    updated = await client.chat_update(channel="C1", ts=ts, text="v2")
    assert updated["ts"] == ts and fake.messages[("C1", ts)]["text"] == "v2"
    link = await client.chat_getPermalink(channel="C1", message_ts=ts)
    assert link["permalink"] == f"https://example.slack.com/archives/C1/p{ts.replace('.', '')}"
    await client.pins_add(channel="C1", timestamp=ts)
    with pytest.raises(SlackApiError) as err:
        await client.pins_add(channel="C1", timestamp=ts)
    assert err.value.response["error"] == "already_pinned"
    eph = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert eph["message_ts"]


async def test_conversations(fake: FakeSlack, client: AsyncWebClient) -> None:
    created = await client.conversations_create(name="inc-20240101-db", is_private=False)
    cid = created["channel"]["id"]
    assert cid.startswith("C") and created["channel"]["name"] == "inc-20240101-db"
    with pytest.raises(SlackApiError) as err:
        await client.conversations_create(name="inc-20240101-db")
    assert err.value.response["error"] == "name_taken"
    with pytest.raises(SlackApiError) as err:
        await client.conversations_create(name="Has Spaces")
    assert err.value.response["error"] == "invalid_name_specials"
    other = await client.conversations_create(name="inc-2")
    assert other["channel"]["id"] > cid

    await client.conversations_invite(channel=cid, users=["U1", "U2"])
    assert fake.calls_to("conversations.invite")[0].args == {"channel": cid, "users": "U1,U2"}
    with pytest.raises(SlackApiError) as err:
        await client.conversations_invite(channel=cid, users="U1")
    assert err.value.response["error"] == "already_in_channel"
    info = await client.conversations_info(channel=cid)
    assert info["channel"]["members"] == ["UBOT", "U1", "U2"]
    await client.conversations_join(channel="C9")
    assert (await client.conversations_info(channel="C9"))["channel"]["is_member"]

    dm = await client.conversations_open(users="U1")
    assert dm["channel"]["id"].startswith("D")
    assert (await client.conversations_open(users="U1"))["channel"]["id"] == dm["channel"]["id"]
    posted = await client.chat_postMessage(channel="U1", text="to a user")
    assert posted["channel"] == dm["channel"]["id"]


async def test_users_info_tz(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.users["U1"] = {"tz": "Asia/Tokyo", "real_name": "Yamada Taro", "name": "yamada"}
    user = (await client.users_info(user="U1"))["user"]
    assert (user["tz"], user["tz_offset"]) == ("Asia/Tokyo", 32400)
    assert (user["name"], user["real_name"]) == ("yamada", "Yamada Taro")
    assert (await client.users_info(user="U2"))["user"]["tz"] == "UTC"
    fake.strict_users = True
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U2")
    assert err.value.response["error"] == "user_not_found"


async def test_views(fake: FakeSlack, client: AsyncWebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "declare",
        "title": {"type": "plain_text", "text": "t"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    opened = await client.views_open(trigger_id="tr.1", view=view)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V") and opened["view"]["callback_id"] == "declare"
    assert fake.calls_to("views.open")[0].args["view"] == view
    updated = await client.views_update(view_id=view_id, view={**view, "callback_id": "step2"})
    assert updated["view"]["id"] == view_id and updated["view"]["callback_id"] == "step2"
    pushed = await client.views_push(trigger_id="tr.2", view=view)
    assert pushed["view"]["id"] != view_id


async def test_canvases(fake: FakeSlack, client: AsyncWebClient) -> None:
    doc = {"type": "markdown", "markdown": "# Postmortem"}
    canvas_id = (await client.canvases_create(title="PM", document_content=doc))["canvas_id"]
    assert canvas_id.startswith("F")
    assert fake.calls_to("canvases.create")[0].args["document_content"] == doc
    changes = [{"operation": "insert_at_end", "document_content": doc}]
    await client.canvases_edit(canvas_id=canvas_id, changes=changes)
    assert fake.canvases[canvas_id]["changes"] == changes
    await client.canvases_access_set(canvas_id=canvas_id, access_level="write", channel_ids=["C1"])
    assert fake.calls_to("canvases.access.set")[0].args["channel_ids"] == "C1"
    with pytest.raises(SlackApiError) as err:
        await client.canvases_edit(canvas_id="Fnope", changes=changes)
    assert err.value.response["error"] == "canvas_not_found"


async def test_files_upload_v2_end_to_end(fake: FakeSlack, client: AsyncWebClient) -> None:
    res = await client.files_upload_v2(
        channel="C1", content="# hi", filename="x.md", title="Postmortem"
    )
    file_id = res["file"]["id"]
    assert fake.uploads[file_id] == b"# hi"
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    get_url = fake.calls_to("files.getUploadURLExternal")[0]
    assert get_url.args == {"filename": "x.md", "length": "4"}  # query string: all strings
    complete = fake.calls_to("files.completeUploadExternal")[0].args
    assert complete == {"files": [{"id": file_id, "title": "Postmortem"}], "channel_id": "C1"}
    assert res["file"]["title"] == "Postmortem" and res["file"]["permalink"]
    info = await client.files_info(file=file_id)
    assert info["file"]["channels"] == ["C1"]


async def test_unknown_method_is_recorded(fake: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.api_call("bogus.method")
    assert err.value.response["error"] == "unknown_method"
    assert fake.calls_to("bogus.method")


async def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        await AsyncWebClient(base_url=fake.base_url).auth_test()
    assert err.value.response["error"] == "not_authed"


async def test_fail_injects_errors_then_recovers(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C1", text="x")
        assert err.value.response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 3


async def test_fail_http_429_and_500(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail_http("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"

    fake.fail_http("*", status=500)
    with pytest.raises(SlackApiError) as err:
        await client.auth_test()
    assert err.value.response.status_code == 500
    assert (await client.auth_test())["ok"]


async def test_delay(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.delay("auth.test", 0.3, times=1)
    started = time.monotonic()
    await client.auth_test()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    await client.auth_test()
    assert time.monotonic() - started < 0.3


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_blocks_slack_would_refuse_are_refused_and_fail_the_test(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    button = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": ""}}
    bad = [
        _section("x" * 3001),
        {"type": "actions", "elements": [button]},
        {**_section("ok"), "txet": "misspelt"},
    ]
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="hi", blocks=bad)
    assert err.value.response["error"] == "invalid_blocks"
    assert fake.calls_to("chat.postMessage")[0].problems == [
        "blocks[0] (section): text attribute cannot exceed 3000 characters",
        "blocks[1] (actions): elements[0].text: a text object holds 1 to 3000 characters, not 0",
        "blocks[2] (section): txet: not a key of this object",
    ]
    assert not fake.messages  # refused, as Slack would
    with pytest.raises(AssertionError) as failed:
        fake.assert_valid_payloads()
    assert "chat.postMessage: blocks[0] (section): text attribute cannot exceed 3000" in str(
        failed.value
    )


async def test_messages_hold_at_most_50_blocks(fake: FakeSlack, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel="C1", text="hi", blocks=[_section("a")] * 50)
    with pytest.raises(SlackApiError):
        await client.chat_update(channel="C1", ts="1.0", text="hi", blocks=[_section("a")] * 51)
    assert fake.invalid == ["chat.update: blocks: 51 blocks, a message holds at most 50"]


async def test_views_slack_would_refuse_are_refused(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    field = {
        "type": "input",
        "block_id": "b",
        "label": {"type": "plain_text", "text": "Label"},
        "element": {"type": "plain_text_input", "action_id": "a"},
    }
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": [field]}
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id="tr.1", view=view)
    assert err.value.response["error"] == "invalid_arguments"
    assert fake.invalid == [
        "views.open: view.submit: a modal with an input needs a submit button",
        "views.open: view: title must be between 1 and 24 characters",
    ]
    fake.invalid.clear()
    fake.check("ack", {"response_action": "update", "view": {"type": "modal", "blocks": []}})
    assert fake.invalid == [
        "ack: view.title: a modal needs a title",
        "ack: view.blocks: a view holds 1 to 100 blocks",
    ]
    fake.invalid.clear()
    fake.assert_valid_payloads()  # nothing left: passes


async def test_response_url_refuses_invalid_blocks(fake: FakeSlack) -> None:
    res = await AsyncWebhookClient(fake.response_url("cmd-1")).send(
        text="done", blocks=[{"type": "context", "elements": [{"type": "mrkdwn", "text": ""}]}]
    )
    assert (res.status_code, res.body) == (400, "invalid_blocks")
    assert fake.invalid == [
        "response_url: blocks[0] (context): elements[0]: a text object holds 1 to 3000 "
        "characters, not 0"
    ]


async def test_response_url_is_recorded(fake: FakeSlack) -> None:
    res = await AsyncWebhookClient(fake.response_url("cmd-1")).send(
        text="done", replace_original=True
    )
    assert res.status_code == 200
    call = fake.calls_to("response_url")[0]
    assert call.args == {"text": "done", "replace_original": True, "_path": "cmd-1"}


async def test_wait_for(fake: FakeSlack, client: AsyncWebClient) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C1", text="first")
        await client.chat_postMessage(channel="C2", text="second")

    task = asyncio.create_task(later())
    call = await fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == "C2")
    assert isinstance(call, Call) and call.args["text"] == "second"
    both = await fake.wait_for("chat.postMessage", count=2)
    assert isinstance(both, list) and [c.args["text"] for c in both] == ["first", "second"]
    await task

    with pytest.raises(AssertionError, match=r"pins\.add.*recorded: \['chat.postMessage', "):
        await fake.wait_for("pins.add", timeout=0.1)
    fake.clear()
    assert fake.calls == []


# ---- signed requests -------------------------------------------------------------------------

SLACK_DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)


def test_sign_matches_slack_documented_example() -> None:
    headers = sign(SLACK_DOC_BODY, "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)
    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }


def test_slack_sdk_verifier_accepts_sign() -> None:
    body = slash_command_body("declare DB が落ちた")
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, sign(body, SECRET))
    assert not verifier.is_valid_request(body, sign(body, "wrong"))
    assert not verifier.is_valid_request(body, sign(body, SECRET, int(time.time()) - 600))


def test_request_bodies() -> None:
    body = slash_command_body("a b&c", user_id="U7", response_url="http://127.0.0.1:1/r")
    form = parse_qs(body.decode())
    assert {
        k: v[0] for k, v in form.items() if k in ("text", "user_id", "user_name", "command")
    } == {"text": "a b&c", "user_id": "U7", "user_name": "u7", "command": "/incident"}
    assert set(form) >= {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    values = {"sev": {"sev": element_state("static_select", "sev1")}}
    payload = view_submission_payload("declare", values, user_id="U1", private_metadata="m")
    decoded = json.loads(parse_qs(interactive_body(payload).decode())["payload"][0])
    assert decoded["view"]["state"]["values"]["sev"]["sev"]["selected_option"]["value"] == "sev1"
    assert decoded["view"]["private_metadata"] == "m" and decoded["user"]["id"] == "U1"
    action = block_actions_payload("ack", "42", message_ts="1.2")["actions"][0]
    assert (action["type"], action["value"]) == ("button", "42")
    envelope = json.loads(event_body({"type": "app_mention", "text": "hi"}, event_id="Ev9"))
    assert envelope["type"] == "event_callback" and envelope["event_id"] == "Ev9"
    assert envelope["authorizations"][0] == {
        "enterprise_id": None,
        "team_id": "T1",
        "user_id": "UBOT",
        "is_bot": True,
        "is_enterprise_install": False,
    }


async def test_slack_client_against_real_bolt_app(fake: FakeSlack) -> None:
    app = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token="xoxb-test", base_url=fake.base_url),
    )
    mentioned = asyncio.Event()

    @app.command("/incident")
    async def on_command(ack, respond, command) -> None:  # type: ignore[no-untyped-def]
        await ack("working on it")
        await respond(f"got {command['text']}")

    @app.action("ack")
    async def on_action(ack, body, client) -> None:  # type: ignore[no-untyped-def]
        await ack()
        action = body["actions"][0]
        await client.chat_postMessage(channel=body["channel"]["id"], text=action["value"])

    @app.view("declare")
    async def on_view(ack, view) -> None:  # type: ignore[no-untyped-def]
        await ack(response_action="errors", errors={"sev": view["private_metadata"]})

    @app.event("app_mention")
    async def on_mention(event) -> None:  # type: ignore[no-untyped-def]
        assert event["text"] == "hey"
        mentioned.set()

    runner = web.AppRunner(app.web_app(), access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        async with SlackClient(None, url, SECRET, response_url=fake.response_url) as slack:
            reply = await slack.command("declare db down")
            assert (reply.status, reply.body) == (200, "working on it")
            call = await fake.wait_for("response_url")
            assert isinstance(call, Call)
            assert (call.args["_path"], call.args["text"]) == ("command", "got declare db down")

            reply = await slack.interactive(
                block_actions_payload("ack", "clicked", channel_id="C5", response_url="")
            )
            assert reply.status == 200
            posted = await fake.wait_for("chat.postMessage")
            assert isinstance(posted, Call)
            # Bolt's context client adds team_id to every call it makes
            assert posted.args == {"channel": "C5", "text": "clicked", "team_id": "T1"}

            reply = await slack.interactive(
                view_submission_payload("declare", {}, private_metadata="bad sev")
            )
            assert reply.json == {"response_action": "errors", "errors": {"sev": "bad sev"}}

            reply = await slack.event({"type": "app_mention", "text": "hey"}, retry_num=1)
            assert reply.status == 200
            await asyncio.wait_for(mentioned.wait(), 5)

            body = slash_command_body("forged")
            assert (await slack.post_raw(body, sign(body, "wrong-secret"))).status == 401
            stale = sign(body, SECRET, int(time.time()) - 600)
            assert (await slack.post_raw(body, stale)).status == 401
    finally:
        await runner.cleanup()


async def test_conversations_list_gives_the_types_asked_for(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    public = (await client.conversations_create(name="open"))["channel"]["id"]
    secret = (await client.conversations_create(name="closed", is_private=True))["channel"]["id"]

    def ids(page) -> list[str]:
        return [c["id"] for c in page["channels"]]

    assert ids(await client.conversations_list()) == [public]  # Slack's default
    assert ids(await client.conversations_list(types="private_channel")) == [secret]
    both = await client.conversations_list(types="public_channel,private_channel")
    assert ids(both) == [public, secret]
