"""The policy's `locale` through the front door: a Japanese workspace hears the whole incident,
its errors, its nudges and its draft in Japanese; an English one hears exactly what it always did.
The command words (`start`, `--impact` …) are English in both."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.domain.policy import Policy
from bot.export import to_json
from tests.support.flows import stored
from tests.support.review import closed_with_draft, dms
from tests.support.slack_requests import element_state, view_submission_payload

JA = Policy.from_mapping({"locale": "ja", "display_timezone": "Asia/Tokyo"})
JA_NUDGES = Policy.from_mapping(
    {
        "locale": "ja",
        "reminders": {
            "business_days": False,
            "poll_interval": "1s",
            "author": {"after": "1s", "every": "1h"},
        },
    }
)
CLOSE = (
    "close --at 2021-12-28T12:00Z --impact 27m --data-loss no --intervention rollback "
    "--detected-by human --reviewers <@U8>"
)
# Slack's date tokens for 10:00Z, 10:05Z and 10:30Z on 2021-12-28: each reader sees their zone.
AT_1000 = "<!date^1640685600^{date_short_pretty} {time}|2021-12-28 10:00 UTC>"
AT_1005 = "<!date^1640685900^{date_short_pretty} {time}|2021-12-28 10:05 UTC>"
AT_1030 = "<!date^1640687400^{date_short_pretty} {time}|2021-12-28 10:30 UTC>"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@dataclass
class Heard:
    """What the bot said during one incident, from declaring it to sharing its draft."""

    declaring: str
    declared: str
    summary: str
    summary_hint: str
    note: str
    status: str
    outcome: str
    outcome_blocks: list[str]
    draft_link: str
    edit_button: str
    retro_invite: str
    draft: str


def texts(blocks: list[dict]) -> list[str]:
    """The mrkdwn of section and context blocks, in order."""
    found = []
    for block in blocks:
        if block["type"] == "section":
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found += [e["text"] for e in block["elements"]]
    return found


async def run_incident(bot) -> Heard:
    """Declare, note, change status and close an incident; collect every message."""
    declaring = await bot.slack.command(
        'start --at "2021-12-28T10:00Z" --sev 2 Redis down', channel_id="CGENERAL"
    )
    declared = await bot.fake.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", declared.args["text"]).group(1)
    summary = await bot.fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == channel)
    note = await bot.slack.command("note 2021-12-28T10:05Z 管理画面が500を返す", channel_id=channel)
    status = await bot.slack.command("status identified 2021-12-28T10:30Z", channel_id=channel)
    assert (await bot.slack.command(CLOSE, channel_id=channel)).status == 200
    outcome = await bot.fake.wait_for(  # its fallback text names the triggers that fired
        "chat.postMessage",
        lambda c: c.args["channel"] == channel and ("影響" in c.args["text"] or "impact" in c.args["text"]),
    )
    canvas = await bot.fake.wait_for("canvases.create")
    link = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == channel and "<https:" in c.args["text"]
    )
    retro = await bot.fake.wait_for("files.completeUploadExternal")
    return Heard(
        declaring=declaring.json["text"],
        declared=declared.args["text"],
        summary=texts(summary.args["blocks"])[0],
        summary_hint=texts(summary.args["blocks"])[1],
        note=note.json["text"],
        status=status.json["text"],
        outcome=outcome.args["text"],
        outcome_blocks=texts(outcome.args["blocks"]),
        draft_link=link.args["text"],
        edit_button=link.args["blocks"][-1]["elements"][0]["text"]["text"],
        retro_invite=retro.args["initial_comment"],
        draft=canvas.args["document_content"]["markdown"],
    )


def headings(markdown: str) -> list[str]:
    return [line[3:] for line in markdown.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("policy", [JA])
async def test_a_japanese_workspace_runs_an_incident_in_japanese(bot):
    heard = await run_incident(bot)

    assert heard.declaring == "*INC-1* を宣言しています… チャンネルを準備中です。"
    assert re.fullmatch(r"\*INC-1\* を宣言しました: Redis down → <#C\w+>", heard.declared)
    assert heard.summary == (
        f"*ステータス:* 調査中   *重大度:* SEV2\n*宣言者:* <@U1>   *開始:* {AT_1000}"
    )
    assert heard.summary_hint == (
        "起きたことを記録: `/incident note [HH:MM] <内容>` 、"
        "またはメッセージに :pushpin: でリアクション · `/incident help`"
    )
    assert heard.note == f"{AT_1005} に <@U1> が記録: 管理画面が500を返す"
    assert heard.status == f"#3 {AT_1030} · <@U1> · _ステータス_ · ステータス: 原因特定"
    assert heard.outcome == (
        "INC-1 をクローズしました。該当したポストモーテム基準: ユーザー影響、エンジニアの介入、"
        "復旧に時間がかかった、監視で検知できなかった。"
    )
    assert heard.outcome_blocks[2].startswith("*タイムラインチェック*: 確認してほしい点が 3 件")
    assert heard.outcome_blocks[:2] == [
        "<@U1> が *INC-1 をクローズ* しました。ポストモーテムが必要です:\n"
        "• *ユーザー影響* — ユーザー影響 27分（基準: 20分以上）\n"
        "• *エンジニアの介入* — エンジニアが介入した（ロールバック）\n"
        "• *復旧に時間がかかった* — 復旧までの時間 2時間（基準: 1時間以上）\n"
        "• *監視で検知できなかった* — 監視ではなく、人が気付いて検出した",
        "ドラフトを作成中です。作者は <@U1> です。非難せず、原因に焦点を当てましょう。",
    ]
    assert re.fullmatch(
        r"\*INC-1\* の<https://\S+\|ポストモーテムのドラフト>です。"
        r"記憶が新しいうちに書き進めましょう。",
        heard.draft_link,
    )
    assert heard.edit_button == "セクションを編集"
    assert heard.retro_invite.startswith("<@U1>: ")
    assert "までに INC-1 の振り返り会を開きましょう" in heard.retro_invite


@pytest.mark.parametrize("policy", [JA])
async def test_the_japanese_draft_comes_from_the_one_template_in_japanese(bot):
    draft = (await run_incident(bot)).draft

    assert headings(draft) == [
        "サマリ", "インパクト", "根本原因", "発生原因", "対応", "検出", "うまくいった事",
        "うまくいかなかった事", "幸運だった事", "アクションアイテム", "タイムライン", "参考情報",
    ]  # fmt: skip
    assert (
        "- **障害発生期間:** 2021-12-28 19:00 JST → 2021-12-28 21:00 JST"
        "（2時間、開始からクローズまで。解決は記録されていません）"
    ) in draft
    assert "\n- 監視ではなく、人が気付いて検出した\n" in draft
    assert "ユーザー影響: 27分。データ損失: なし。" in draft
    assert "エンジニアによる対応: ロールバック。" in draft
    timeline = draft.split("\n## タイムライン\n", 1)[1].split("\n## ", 1)[0]
    for row in (
        "| u1 | INC-1 を宣言: Redis down |",  # declared now, backdated to 10:00Z
        "| 2021-12-28 19:05 JST | u1 | 管理画面が500を返す |",
        "| 2021-12-28 19:30 JST | u1 | ステータス: 原因特定 |",
        "| 2021-12-28 21:00 JST | u1 | INC-1 をクローズ |",
    ):
        assert row in timeline
    for english in ("Summary", "Timeline", "Declared", "Status", "Closed", "affected", "by "):
        assert english not in draft
    report = await stored(bot, 1)  # what is exported stays English
    assert [t.reason for t in report.postmortem.triggers][:2] == [
        "user impact 27 min ≥ 20 min",
        "engineers intervened (rollback)",
    ]
    exported = to_json(report)["timeline"]
    assert [e["text"] for e in exported if e["kind"] == "status"] == ["Status: identified"]


@pytest.mark.parametrize("policy", [JA])
async def test_errors_are_said_in_japanese_and_user_text_stays_escaped(bot):
    await bot.slack.command("start Redis down", channel_id="CGENERAL")
    declared = await bot.fake.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", declared.args["text"]).group(1)

    bad_time = await bot.slack.command("note 25:99 再起動した", channel_id=channel)
    bad_sev = await bot.slack.command("sev <!here>", channel_id=channel)
    elsewhere = await bot.slack.command("note 再起動した", channel_id="CGENERAL")

    assert bad_time.json["response_type"] == "ephemeral"
    assert bad_time.json["text"] == (
        "'25:99' は時刻として正しくありません（時は0〜23、分は0〜59）。"
        "10:42、10時42分、2021-12-28 10:42、2021-12-28T10:42+09:00 のように指定してください。"
        "例: /incident note 10時42分 デプロイ1234をロールバック"
    )
    assert bad_sev.json["text"] == (
        "重大度は 1、2、3、4 のいずれかです（1 が最も深刻）。"
        "例: /incident sev 2（入力: '&lt;!here&gt;'）"
    )
    assert elsewhere.json["text"].startswith("ここはインシデントチャンネルではありません。")
    report = await stored(bot, 1)
    assert [e.kind for e in report.timeline] == ["declared"]  # nothing was noted


@pytest.mark.parametrize("policy", [JA])
async def test_a_recorded_change_the_timeline_cant_rewrite_is_named_in_japanese(bot):
    await bot.slack.command("start Redis down", channel_id="CGENERAL")
    declared = await bot.fake.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", declared.args["text"]).group(1)

    reply = await bot.slack.command("note delete 1", channel_id=channel)  # #1: the declaration

    assert reply.json["text"] == (
        "#1 は 宣言 の変更の記録なので、タイムラインからは書き換えられません。"
        "代わりに新しく変更してください（例: `/incident status …` ）。"
    )


@pytest.mark.parametrize("policy", [JA])
async def test_the_close_form_asks_in_japanese_and_keeps_the_commands_values(bot):
    await bot.slack.command("start Redis down", channel_id="CGENERAL")
    declared = await bot.fake.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", declared.args["text"]).group(1)

    await bot.slack.command("close --data-loss no", channel_id=channel)
    view = (await bot.fake.wait_for("views.open")).args["view"]
    inputs = {b["block_id"]: b for b in view["blocks"]}
    submitted = await bot.slack.interactive(
        view_submission_payload(
            view["callback_id"],
            {
                "closed_at": {"closed_at": element_state("datetimepicker", 1640692800)},
                "impact": {"impact": element_state("plain_text_input", "")},
                "data_loss": {"data_loss": element_state("radio_buttons", "no")},
                "intervention": {"intervention": element_state("static_select", "none")},
                "detected_by": {"detected_by": element_state("static_select", "human")},
                "reviewers": {"reviewers": element_state("multi_users_select", [])},
            },
            private_metadata=view["private_metadata"],
        )
    )

    assert (view["title"]["text"], view["submit"]["text"]) == ("INC-1 をクローズ", "クローズする")
    assert inputs["data_loss"]["label"]["text"] == "データ損失はありましたか？"
    assert inputs["data_loss"]["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "いいえ"},
        "value": "no",
    }
    options = inputs["intervention"]["element"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in options][:3] == [
        ("none", "なし"),
        ("rollback", "ロールバック"),
        ("data-patch", "データパッチ"),
    ]
    assert submitted.json == {
        "response_action": "errors",
        "errors": {"impact": "ユーザーへの影響はどのくらい続きましたか？ 例: 25分、1時間30分、なし"},
    }


@pytest.mark.parametrize("policy", [JA_NUDGES])
async def test_a_nudge_reaches_the_author_in_japanese(bot):
    await closed_with_draft(bot)

    nudge = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U1"), timeout=10
    )

    assert re.fullmatch(
        r"\*INC-1\* Aurora failover: <https://\S+\|ポストモーテム> はまだドラフトです。"
        r"完璧を目指して書かないより、今日数行でも書くほうが価値があります。",
        nudge.args["text"],
    )
    buttons = [e["text"]["text"] for e in nudge.args["blocks"][-1]["elements"]]
    assert buttons == ["レビューを依頼する", "1日スヌーズ"]
    assert len(dms(bot, "U1")) == 1


async def test_an_english_workspace_hears_what_it_always_did(bot):
    heard = await run_incident(bot)

    assert heard.declaring == "Declaring *INC-1*… setting up its channel."
    assert re.fullmatch(r"Declared \*INC-1\*: Redis down → <#C\w+>", heard.declared)
    assert heard.summary == (
        f"*Status:* Investigating   *Severity:* SEV2\n*Declared by:* <@U1>   *Started:* {AT_1000}"
    )
    assert heard.summary_hint == (
        "Record what happens: `/incident note [HH:MM] <text>`, or react with :pushpin: "
        "to a message · `/incident help`"
    )
    assert heard.note == f"Noted at {AT_1005} by <@U1>: 管理画面が500を返す"
    assert heard.status == f"#3 {AT_1030} · <@U1> · _status_ · Status: identified"
    assert heard.outcome == (
        "INC-1 closed. Postmortem triggers: user impact, engineer intervention, "
        "long time to resolve, not detected by monitoring."
    )
    assert heard.outcome_blocks[2].startswith("*Timeline check*: 3 things to look at")
    assert heard.outcome_blocks[:2] == [
        "*INC-1 closed* by <@U1>. A postmortem is needed:\n"
        "• *user impact* — user impact 27 min ≥ 20 min\n"
        "• *engineer intervention* — engineers intervened (rollback)\n"
        "• *long time to resolve* — time to resolve 2 h ≥ 1 h\n"
        "• *not detected by monitoring* — detected by a human, not by monitoring",
        "Drafting it now; <@U1> is the author. Blameless: focus on causes.",
    ]
    assert re.fullmatch(
        r"Here is <https://\S+\|the postmortem draft> for \*INC-1\*\. "
        r"Fill it in while memories are fresh\.",
        heard.draft_link,
    )
    assert heard.edit_button == "Edit sections"
    assert "let's hold the INC-1 retrospective by" in heard.retro_invite
    assert headings(heard.draft)[:3] == ["Summary", "Impact", "Root cause"]
    assert "| 2021-12-28 10:30 UTC | u1 | Status: identified |" in heard.draft
    assert "\n- Detected by a human, not by monitoring\n" in heard.draft
    said = [heard.declaring, heard.declared, heard.summary, heard.outcome, *heard.outcome_blocks]
    said += [heard.draft_link, heard.retro_invite, heard.draft.replace("管理画面が500を返す", "")]
    assert not any(JAPANESE.search(text) for text in said)
