"""The seed's four incidents, replayed as their teams would type them (issue 11).

In `ja`, a declarer in Tokyo types through a Japanese IME: full-width digits and colons
(`１３：５８`), `10時30分`, `午後3時`, quoted times, and a note written after midnight for 23:50
(the most recent 23:50). In `en`, a declarer in Los Angeles types `19:03` and dates, across the
end of daylight saving time. The bot's clock is the incident's own time, as the team lived it.
The same instants as tests/slack/test_seed_replays.py; each entry must be stored at the UTC
instant meant, fire the seed's triggers, and read by names in the reader's zone and language.

The Aurora drafts are also compared with golden files, exactly (tests/golden/). After an
intended change to the document, regenerate them and read the diff before committing:

    UPDATE_GOLDEN=1 PYTHONPATH=$PWD .venv/bin/python -m pytest tests/slack/test_ime_replays.py -k golden
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.policy import Policy
from bot.export_markdown import to_markdown
from tests.slack import test_seed_replays as seed
from tests.support.clock import FakeClock
from tests.support.flows import declare, eventually, reaction, send_event, stored
from tests.support.slack_requests import element_state, view_submission_payload

TOKYO, LOS_ANGELES = "Asia/Tokyo", "America/Los_Angeles"
JA = Policy.from_mapping({"locale": "ja"})  # no display_timezone: the declarer's zone
EN = Policy.default()
PEOPLE = {
    TOKYO: {"U1": "aki", "U2": "kenji", "U3": "hana", "U4": "yui"},
    LOS_ANGELES: {"U1": "alice", "U2": "bob", "U3": "carol", "U4": "dave"},
}
RAW_ID = re.compile(r"\b(?:U[0-9][A-Z0-9]*|UBOT)\b")


@dataclass(frozen=True)
class Typed:
    """`/incident <text>`, typed by `user` at the local wall time `at`."""

    at: str
    text: str
    user: str = "U1"


@dataclass(frozen=True)
class Posted:
    """A message `user` posted at the local wall time `at`; the declarer pins it."""

    at: str
    user: str
    text: str


@dataclass(frozen=True)
class ClosedInForm:
    """`/incident close` typed at `at` with only `text`: the form opens; it is sent with these
    (the close time as Slack's date picker sends it, in the closer's zone)."""

    at: str
    text: str
    closed_at: str
    impact: str
    data_loss: str
    intervention: str
    detected_by: str
    reviewers: tuple[str, ...]


@dataclass(frozen=True)
class Replayed:
    draft: str  # the postmortem draft as shared in Slack
    report: object  # what the database holds
    form: dict | None  # the close form, when the case closed through it


@dataclass(frozen=True)
class Case:
    seed: seed.Replay
    zone: str
    steps: tuple[Typed | Posted | ClosedInForm, ...]
    stored: tuple[tuple[str, str, str], ...]  # (kind, UTC, text) of what people recorded
    started: str  # UTC
    resolved: str | None
    closed: str


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def local(at: str, zone: str) -> datetime:
    return datetime.fromisoformat(at).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def seed_instants(case: seed.Replay) -> list[datetime]:
    """When the seed's notes happened (each note opens with its UTC time)."""
    return [utc(note.split(" ", 1)[0]) for note in case.notes]


# --- ja: a team in Tokyo, typing through an IME -------------------------------------------------

KAFKA_JA = Case(
    seed=seed.KAFKA,
    zone=TOKYO,
    steps=(
        # Noticed on the morning of 2 January; declared backdated to when it began.
        Typed("2022-01-02 08:40", 'start --at "２０２１－１２－２４　１０：００" --sev 3 Kafkaブローカーの一部がダウン'),
        Typed("2022-01-02 08:41", 'note "2021-12-24 10:00" ブローカー2台がクラスタから外れた（ZooKeeperから見えない）'),
        Typed("2022-01-02 08:42", "note ８：３０ 休暇前にCloudWatchを確認していて気づいた。ユーザー影響なし"),
        Typed("2022-01-02 08:43", "mark detected ８：３０ CloudWatchを見て気づいた"),
        Typed("2022-01-02 09:15", "note 9時10分、両ブローカーを再起動し自動リバランスを確認"),
        Typed("2022-01-02 09:16", "mark mitigated ９時１０分 ブローカー再起動"),
        Typed("2022-01-02 10:02", "status resolved 午前10時"),
        Typed("2022-01-02 10:05", "close --at １０：００ --impact なし --data-loss no --intervention restart --detected-by human --reviewers <@U3>"),
    ),
    stored=(
        ("note", "2021-12-24T01:00Z", "ブローカー2台がクラスタから外れた（ZooKeeperから見えない）"),
        ("note", "2022-01-01T23:30Z", "休暇前にCloudWatchを確認していて気づいた。ユーザー影響なし"),
        ("detected", "2022-01-01T23:30Z", "CloudWatchを見て気づいた"),
        ("note", "2022-01-02T00:10Z", "両ブローカーを再起動し自動リバランスを確認"),
        ("mitigated", "2022-01-02T00:10Z", "ブローカー再起動"),
    ),
    started="2021-12-24T01:00Z",
    resolved="2022-01-02T01:00Z",
    closed="2022-01-02T01:00Z",
)
AURORA_JA = Case(
    seed=seed.AURORA,
    zone=TOKYO,
    steps=(
        Typed("2021-06-01 11:04", "start --at ＂１１：００＂ --sev ２ Auroraフェイルオーバーで書き込みエラー"),
        Typed("2021-06-01 11:05", "note １１：００ Auroraのフェイルオーバーでレプリカが昇格"),
        Typed("2021-06-01 11:06", "note 11時3分 Sentryアラート: 一部のUnicornプロセスで書き込みAPIがエラー"),
        Typed("2021-06-01 11:06", "mark detected 11時3分 Sentryアラート"),
        Typed("2021-06-01 11:08", "role commander <@U2|kenji>"),
        Posted("2021-06-01 11:15", "U2", "<@U4> 旧writerへの接続をキャッシュしたままのUnicornがいる"),
        Typed("2021-06-01 14:52", "note “14:50” Unicornを再起動、コネクションプールが新しいwriterに再接続", "U2"),
        Typed("2021-06-01 14:53", "mark mitigated 午後2時50分 Unicorn再起動", "U2"),
        Typed("2021-06-01 15:01", "status resolved 午後3時"),
        Typed("2021-06-01 15:10", 'close --at "15:00" --impact ４時間 --data-loss no --intervention restart --detected-by monitoring --reviewers <@U3>'),
    ),
    stored=(
        ("note", "2021-06-01T02:00Z", "Auroraのフェイルオーバーでレプリカが昇格"),
        ("note", "2021-06-01T02:03Z", "Sentryアラート: 一部のUnicornプロセスで書き込みAPIがエラー"),
        ("detected", "2021-06-01T02:03Z", "Sentryアラート"),
        ("message", "2021-06-01T02:15Z", "<@U4> 旧writerへの接続をキャッシュしたままのUnicornがいる"),
        ("note", "2021-06-01T05:50Z", "Unicornを再起動、コネクションプールが新しいwriterに再接続"),
        ("mitigated", "2021-06-01T05:50Z", "Unicorn再起動"),
    ),
    started="2021-06-01T02:00Z",
    resolved="2021-06-01T06:00Z",
    closed="2021-06-01T06:00Z",
)
REDIS_JA = Case(
    seed=seed.REDIS,
    zone=TOKYO,
    steps=(
        Typed("2021-09-10 10:06", "start 管理画面用Redisインスタンスのダウン --at 午前10時"),
        Typed("2021-09-10 10:07", "note 10時5分、運用チームから管理画面が500を返すと報告"),
        Typed("2021-09-10 10:08", "mark detected １０時５分 運用チームからの報告"),
        Typed("2021-09-10 11:35", "note 11時半 レプリカを強制フェイルオーバー"),
        ClosedInForm(
            "2021-09-10 12:10",
            "close －－ｉｍｐａｃｔ なし",
            closed_at="2021-09-10 12:00",
            impact="なし",
            data_loss="no",
            intervention="failover",
            detected_by="human",
            reviewers=("U3",),
        ),
    ),
    stored=(
        ("note", "2021-09-10T01:05Z", "運用チームから管理画面が500を返すと報告"),
        ("detected", "2021-09-10T01:05Z", "運用チームからの報告"),
        ("note", "2021-09-10T02:30Z", "レプリカを強制フェイルオーバー"),
    ),
    started="2021-09-10T01:00Z",
    resolved=None,
    closed="2021-09-10T03:00Z",
)
LOGS_JA = Case(
    seed=seed.LOGS,
    zone=TOKYO,
    steps=(
        Typed("2021-11-07 12:10", 'start --at "2021-11-01 09:00" ログの20%が欠損'),
        Typed("2021-11-07 12:11", "note １２：００ 他部署の依頼に答えていて、2つのログ送信先に約20%の差を発見"),
        # After midnight, for 23:50 the evening before: the most recent 23:50.
        Typed("2021-11-08 00:20", "note ２３：５０ fluent-bitのS3アップロードがユーザー増加後に追いついていない"),
        Typed("2021-11-08 10:05", "note 10時 Mem_Buf_Sizeを増やし、fluent-bitをファイルバッファに切り替え"),
        Typed("2021-11-08 11:05", "close --at 午前11時 --impact なし --data-loss yes --intervention config-change --detected-by human --reviewers <@U3>"),
    ),
    stored=(
        ("note", "2021-11-07T03:00Z", "他部署の依頼に答えていて、2つのログ送信先に約20%の差を発見"),
        ("note", "2021-11-07T14:50Z", "fluent-bitのS3アップロードがユーザー増加後に追いついていない"),
        ("note", "2021-11-08T01:00Z", "Mem_Buf_Sizeを増やし、fluent-bitをファイルバッファに切り替え"),
    ),
    started="2021-11-01T00:00Z",
    resolved=None,
    closed="2021-11-08T02:00Z",
)

# --- en: a team in Los Angeles ------------------------------------------------------------------

KAFKA_EN = Case(
    seed=seed.KAFKA,
    zone=LOS_ANGELES,
    steps=(
        Typed("2022-01-01 15:40", 'start --at "2021-12-23 17:00" --sev 3 Kafka brokers partly down'),
        Typed("2022-01-01 15:41", f'note "2021-12-23 17:00" {seed.KAFKA.notes[0].split(" ", 1)[1]}'),
        Typed("2022-01-01 15:42", f"note 15:30 {seed.KAFKA.notes[1].split(' ', 1)[1]}"),
        Typed("2022-01-01 15:43", "mark detected 15:30 Spotted on CloudWatch by chance"),
        Typed("2022-01-01 16:12", f"note 16:10 {seed.KAFKA.notes[2].split(' ', 1)[1]}"),
        Typed("2022-01-01 17:02", "status resolved 17:00"),
        Typed("2022-01-01 17:05", "close --at 17:00 --impact none --data-loss no --intervention restart --detected-by human --reviewers <@U3>"),
    ),
    stored=(
        ("note", "2021-12-24T01:00Z", seed.KAFKA.notes[0].split(" ", 1)[1]),
        ("note", "2022-01-01T23:30Z", seed.KAFKA.notes[1].split(" ", 1)[1]),
        ("detected", "2022-01-01T23:30Z", "Spotted on CloudWatch by chance"),
        ("note", "2022-01-02T00:10Z", seed.KAFKA.notes[2].split(" ", 1)[1]),
    ),
    started="2021-12-24T01:00Z",
    resolved="2022-01-02T01:00Z",
    closed="2022-01-02T01:00Z",
)
AURORA_EN = Case(
    seed=seed.AURORA,
    zone=LOS_ANGELES,
    steps=(
        Typed("2021-05-31 19:04", "start --at 19:00 --sev 2 Aurora failover caused write errors"),
        Typed("2021-05-31 19:05", f"note 19:00 {seed.AURORA.notes[0].split(' ', 1)[1]}"),
        Typed("2021-05-31 19:06", f"note 19:03 {seed.AURORA.notes[1].split(' ', 1)[1]}"),
        Typed("2021-05-31 19:06", "mark detected 19:03 Sentry alert"),
        Typed("2021-05-31 19:08", "role commander <@U2|bob>"),
        Posted("2021-05-31 19:15", "U2", "<@U4> some unicorns still hold a connection to the old writer"),
        Typed("2021-05-31 22:52", f'note "22:50" {seed.AURORA.notes[2].split(" ", 1)[1]}', "U2"),
        Typed("2021-05-31 22:53", "mark mitigated 22:50 Restarted Unicorn", "U2"),
        Typed("2021-05-31 23:01", "status resolved 23:00"),
        Typed("2021-05-31 23:10", "close --at 23:00 --impact 4h --data-loss no --intervention restart --detected-by monitoring --reviewers <@U3>"),
    ),
    stored=(
        ("note", "2021-06-01T02:00Z", seed.AURORA.notes[0].split(" ", 1)[1]),
        ("note", "2021-06-01T02:03Z", seed.AURORA.notes[1].split(" ", 1)[1]),
        ("detected", "2021-06-01T02:03Z", "Sentry alert"),
        ("message", "2021-06-01T02:15Z", "<@U4> some unicorns still hold a connection to the old writer"),
        ("note", "2021-06-01T05:50Z", seed.AURORA.notes[2].split(" ", 1)[1]),
        ("mitigated", "2021-06-01T05:50Z", "Restarted Unicorn"),
    ),
    started="2021-06-01T02:00Z",
    resolved="2021-06-01T06:00Z",
    closed="2021-06-01T06:00Z",
)
REDIS_EN = Case(
    seed=seed.REDIS,
    zone=LOS_ANGELES,
    steps=(
        Typed("2021-09-09 18:06", "start Admin-panel Redis instance down --at 18:00"),
        Typed("2021-09-09 18:07", "note 18:05 Operations reported the admin panel returns 500s"),
        Typed("2021-09-09 18:08", "mark detected 18:05 Reported by operations"),
        Typed("2021-09-09 19:35", "note 19:30 Forced a replica failover"),
        ClosedInForm(
            "2021-09-09 20:10",
            "close --data-loss no",
            closed_at="2021-09-09 20:00",
            impact="none",
            data_loss="no",
            intervention="failover",
            detected_by="human",
            reviewers=("U3",),
        ),
    ),
    stored=(
        ("note", "2021-09-10T01:05Z", "Operations reported the admin panel returns 500s"),
        ("detected", "2021-09-10T01:05Z", "Reported by operations"),
        ("note", "2021-09-10T02:30Z", "Forced a replica failover"),
    ),
    started="2021-09-10T01:00Z",
    resolved=None,
    closed="2021-09-10T03:00Z",
)
LOGS_EN = Case(
    seed=seed.LOGS,
    zone=LOS_ANGELES,
    steps=(
        # Daylight saving time ends in Los Angeles at 02:00 on 7 November 2021: PDT, then PST.
        Typed("2021-11-06 20:10", 'start --at "2021-10-31 17:00" 20% of logs lost'),
        Typed("2021-11-06 20:11", f"note 20:00 {seed.LOGS.notes[0].split(' ', 1)[1]}"),
        Typed("2021-11-07 00:20", "note 23:50 fluent-bit's S3 upload can't keep up since the user growth"),
        Typed("2021-11-07 17:05", f"note 17:00 {seed.LOGS.notes[1].split(' ', 1)[1]}"),
        Typed("2021-11-07 18:05", "close --at 18:00 --impact none --data-loss yes --intervention config-change --detected-by human --reviewers <@U3>"),
    ),
    stored=(
        ("note", "2021-11-07T03:00Z", seed.LOGS.notes[0].split(" ", 1)[1]),
        ("note", "2021-11-07T06:50Z", "fluent-bit's S3 upload can't keep up since the user growth"),
        ("note", "2021-11-08T01:00Z", seed.LOGS.notes[1].split(" ", 1)[1]),
    ),
    started="2021-11-01T00:00Z",
    resolved=None,
    closed="2021-11-08T02:00Z",
)


@pytest.fixture
def clock():
    return FakeClock(datetime(2021, 1, 1, tzinfo=UTC))


async def replay(bot, clock: FakeClock, case: Case) -> Replayed:
    """Type the case's steps at their times; return the draft, what is stored and the form."""
    for uid, name in PEOPLE[case.zone].items():
        bot.fake.users[uid] = {"tz": case.zone, "name": name, "real_name": name.title()}
    first, *rest = case.steps
    clock.now = local(first.at, case.zone)
    number, channel = await declare(bot, first.text.removeprefix("start "))
    await send_event(bot, {"type": "member_joined_channel", "user": "U2", "channel": channel})
    form = None
    for step in rest:
        clock.now = local(step.at, case.zone)
        if isinstance(step, Posted):
            await post_and_pin(bot, number, channel, step, case.zone)
        elif isinstance(step, ClosedInForm):
            form = await close_in_form(bot, channel, step, case.zone)
        else:
            reply = await bot.slack.command(step.text, channel_id=channel, user_id=step.user)
            assert reply.status == 200, reply.body
            if not step.text.startswith("close"):
                assert reply.json["response_type"] == "in_channel", (step.text, reply.json)
    await bot.fake.wait_for("canvases.create")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem and r.postmortem.doc_id)
    draft = bot.fake.calls_to("canvases.create")[0].args["document_content"]["markdown"]
    await bot.runtime.deps.people.idle()  # what Slack said of each person is kept
    return Replayed(draft, await stored(bot, number), form)


async def post_and_pin(bot, number: int, channel: str, step: Posted, zone: str) -> None:
    ts = f"{int(local(step.at, zone).timestamp())}.000000"
    bot.fake.post_as_user(channel, step.user, step.text, ts=ts)
    await send_event(bot, reaction(channel, ts, "U1"))
    await eventually(
        lambda: stored(bot, number),
        lambda r: any(e.permalink and e.permalink.endswith(ts.replace(".", "")) for e in r.timeline),
    )


async def close_in_form(bot, channel: str, step: ClosedInForm, zone: str) -> dict:
    await bot.slack.command(step.text, channel_id=channel, trigger_id="tr.close")
    view = (await bot.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == "tr.close"))
    view = view.args["view"]
    closed_at = int(local(step.closed_at, zone).timestamp())
    values = {
        "closed_at": {"closed_at": element_state("datetimepicker", closed_at)},
        "impact": {"impact": element_state("plain_text_input", step.impact)},
        "data_loss": {"data_loss": element_state("radio_buttons", step.data_loss)},
        "intervention": {"intervention": element_state("static_select", step.intervention)},
        "detected_by": {"detected_by": element_state("static_select", step.detected_by)},
        "reviewers": {"reviewers": element_state("multi_users_select", list(step.reviewers))},
    }
    payload = view_submission_payload(
        view["callback_id"], values, private_metadata=view["private_metadata"]
    )
    submitted = await bot.slack.interactive(payload)
    assert submitted.status == 200 and not submitted.body, submitted.body
    return view


def form_said(view: dict) -> str:
    """What the close form says above its fields."""
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")


def check_stored(case: Case, report) -> None:
    """Each entry at the instant meant, the seed's instants among them, the seed's triggers."""
    said = [
        (e.kind, e.occurred_at, e.text)
        for e in report.timeline
        if e.kind in ("note", "message", "detected", "mitigated")
    ]
    assert said == [(kind, utc(at), text) for kind, at, text in case.stored]
    notes = {e.occurred_at for e in report.timeline if e.kind == "note"}
    assert set(seed_instants(case.seed)) <= notes
    incident = report.incident
    assert incident.started_at == utc(case.started)
    assert incident.resolved_at == (utc(case.resolved) if case.resolved else None)
    assert incident.closed_at == utc(case.closed)
    assert incident.tz == case.zone  # the declarer's zone: the documents' zone
    assert [t.id for t in report.postmortem.triggers] == case.seed.fired
    sev = re.search(r"--sev ([0-9])", case.seed.start)
    assert incident.severity == (int(sev[1]) if sev else None)


def check_names(case: Case, document: str) -> None:
    """People by their names wherever a person reads; ids only in the front matter."""
    body = document.split("\n---\n", 1)[1] if document.startswith("---\n") else document
    assert not RAW_ID.findall(body), RAW_ID.findall(body)
    for uid in ("U1", "U2", "U3"):  # who declared, responded and reviews
        assert PEOPLE[case.zone][uid] in body, uid


def bot_said(bot) -> list[str]:
    """Every text the bot posted in Slack: messages, their blocks, the retro invitation."""
    said = []
    for call in bot.fake.calls_to("chat.postMessage"):
        said.append(call.args.get("text", ""))
        for block in call.args.get("blocks") or []:
            text = block.get("text")
            said += [text["text"]] if isinstance(text, dict) else []
            said += [e.get("text", "") for e in block.get("elements", []) if block["type"] == "context"]
    said += [c.args.get("initial_comment", "") for c in bot.fake.calls_to("files.completeUploadExternal")]
    return [text for text in said if text]


def as_read(text: str, case: Case) -> str:
    """What a person reads of a text: a mention as ``@name``."""
    return re.sub(r"<@(U[0-9]+)>", lambda m: "@" + PEOPLE[case.zone][m[1]], text)


def check_period(case: Case, draft: str, *, to_resolution: str, to_close: str) -> None:
    """The period says what it runs to: the resolution, or (never marked) the close."""
    period = draft.splitlines()[3]
    assert (to_resolution if case.resolved else to_close) in period, period


def check_spans(draft: str) -> None:
    """Lengths of time read as durations (`8 d 22 h 30 min`, `8日22時間30分`), not as
    thousands of minutes."""
    assert not re.search(r"[0-9]{3,} ?(?:min|分)", draft), draft


JA_CASES = [KAFKA_JA, AURORA_JA, REDIS_JA, LOGS_JA]
EN_CASES = [KAFKA_EN, AURORA_EN, REDIS_EN, LOGS_EN]
IDS = ["kafka", "aurora", "redis", "logs"]


@pytest.mark.parametrize("policy", [JA])
@pytest.mark.parametrize("case", JA_CASES, ids=IDS)
async def test_a_tokyo_team_typing_through_an_ime(any_db_bot, clock, case):
    bot = any_db_bot
    replayed = await replay(bot, clock, case)
    draft, report = replayed.draft, replayed.report

    check_stored(case, report)
    exported = to_markdown(report, policy=bot.runtime.policy, renderer=bot.runtime.deps.renderer)
    check_names(case, draft)
    check_names(case, exported)
    front = exported.split("\n---\n", 1)[0]
    assert 'declared_by: {id: "U1", name: "aki"}' in front
    assert '  - {id: "U3", name: "hana"}' in front
    assert "JST" in draft and "UTC" not in draft  # the declarer's zone, never UTC
    assert "。 " not in draft  # Japanese sentences follow each other without a space
    for text in bot_said(bot):  # Japanese lists take 、
        assert ", " not in text, text
    check_period(case, draft, to_resolution="開始から解決まで", to_close="開始からクローズまで")
    check_spans(draft)
    for _, at, text in case.stored:  # each entry in the draft at its Tokyo time
        tokyo = utc(at).astimezone(ZoneInfo(TOKYO)).strftime("%Y-%m-%d %H:%M JST")
        assert f"| {tokyo} |" in draft and as_read(text, case) in draft, (tokyo, text)
    if replayed.form is not None:  # closed through the form: it said what looked wrong
        said = form_said(replayed.form)
        assert "タイムラインチェック" in said and "解決が記録されていません" in said, said
        labels = [b["label"]["text"] for b in replayed.form["blocks"] if b["type"] == "input"]
        assert not re.search(r"[A-Za-z]{3,}", " ".join(labels)), labels  # "なし", not "none"
        assert "UTC" not in re.sub(r"<!date[^>]*>", "", said)


@pytest.mark.parametrize("case", EN_CASES, ids=IDS)
async def test_a_los_angeles_team(any_db_bot, clock, case):
    bot = any_db_bot
    replayed = await replay(bot, clock, case)
    draft, report = replayed.draft, replayed.report

    check_stored(case, report)
    exported = to_markdown(report, policy=bot.runtime.policy, renderer=bot.runtime.deps.renderer)
    check_names(case, draft)
    check_names(case, exported)
    assert "UTC" not in draft
    check_period(
        case, draft, to_resolution="from the start to the resolution", to_close="to the close"
    )
    check_spans(draft)
    zone = ZoneInfo(LOS_ANGELES)
    for _, at, text in case.stored:  # each entry at its Los Angeles time (PDT or PST)
        there = utc(at).astimezone(zone)
        assert f"| {there:%Y-%m-%d %H:%M} {there.tzname()} |" in draft, (there, text)
        assert as_read(text, case) in draft, text
    if replayed.form is not None:
        said = form_said(replayed.form)
        assert "It was never marked resolved" in said, said


GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def same_as_golden(name: str, draft: str) -> None:
    """``draft`` is the golden file ``name`` (UPDATE_GOLDEN=1 writes it first)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(draft, encoding="utf-8")
    assert draft == path.read_text(encoding="utf-8"), (
        f"the draft differs from tests/golden/{name}; if the change is meant, regenerate it "
        "with UPDATE_GOLDEN=1 (see this module's docstring) and read the diff"
    )


@pytest.mark.parametrize(
    ("policy", "case", "golden"),
    [(EN, AURORA_EN, "aurora.en.md"), (JA, AURORA_JA, "aurora.ja.md")],
    ids=["en", "ja"],
)
async def test_the_aurora_draft_is_the_golden_one(bot, clock, case, golden):
    # Everything in it is fixed: the clock is the incident's, the ids are the fake Slack's.
    same_as_golden(golden, (await replay(bot, clock, case)).draft)
