import json
from typing import Any

import pytest

from bot.domain.blameless import (
    BUILTIN_DIR,
    PEOPLE_HINT,
    SENTENCE_MAX,
    Finding,
    Rule,
    RuleError,
    blocking,
    check,
    default_rules,
    excerpt,
    load_rules,
    normalize,
    sentences,
)
from bot.domain.postmortem import SECTION_KEYS

RULES = default_rules()


def phrases(text: str, section: str = "summary", **kwargs: Any) -> list[str]:
    return [finding.phrase for finding in check({section: text}, RULES, **kwargs)]


# ---- the built-in lists ---------------------------------------------------------------------


def test_both_languages_are_built_in() -> None:
    assert RULES == default_rules(("en", "ja")) == default_rules(["en", "ja"])
    en, ja = default_rules(("en",)), default_rules(("ja",))
    assert en + ja == RULES
    assert default_rules(("en", "en")) == en


def test_the_built_in_lists_are_read_once() -> None:
    assert default_rules() is default_rules()


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no built-in list for 'fr'"):
        default_rules(("fr",))


@pytest.mark.parametrize(
    ("locale", "required"),
    [
        (
            "en",
            "human error|careless|carelessly|should have|shouldn't have|should not have|fault of"
            "|'s fault|blame|negligent|negligence|failed to|forgot to|sloppy|incompetent|stupid"
            "|lazy|didn't bother",
        ),
        ("ja", "ミス|人為的ミス|不注意|のせい|怠慢|確認不足|うっかり|すべきだった|責任|ちゃんと"),
    ],
)
def test_the_built_in_lists_carry_the_issue_phrases(locale: str, required: str) -> None:
    listed = {rule.phrase for rule in default_rules((locale,))}
    assert set(required.split("|")) <= listed


def test_built_in_phrases_are_unique_and_hinted_in_their_language() -> None:
    assert len({normalize(rule.phrase) for rule in RULES}) == len(RULES)
    for rule in default_rules(("ja",)):
        assert any("\u3040" <= c <= "\u30ff" for c in rule.hint), rule.phrase
    for rule in default_rules(("en",)):
        assert rule.hint.isascii() and rule.whole_word, rule.phrase


def test_the_built_in_files_are_plain_json_lists() -> None:
    for locale in ("en", "ja"):
        data = json.loads((BUILTIN_DIR / f"{locale}.json").read_text(encoding="utf-8"))
        assert load_rules(data) == default_rules((locale,))


def sample(rule: Rule) -> str:
    if rule.phrase.isascii():
        before = "Bob" if rule.phrase.startswith("'") else "We saw "
        return f"{before}{rule.phrase} here."
    return f"これは{rule.phrase}です。"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.phrase)
def test_every_built_in_phrase_is_found_in_a_sentence(rule: Rule) -> None:
    findings = check({"went_wrong": sample(rule)}, RULES)
    assert [(f.phrase, f.hint, f.soft) for f in findings] == [(rule.phrase, rule.hint, rule.soft)]


# ---- true positives -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Root cause: Tanaka forgot to renew the certificate.", ["forgot to"]),
        ("The on-call engineer should have noticed the alert.", ["should have"]),
        ("The outage was caused by human error during the failover.", ["human error"]),
        ("A careless config change took the brokers out of the cluster.", ["careless"]),
        ("He carelessly restarted the primary.", ["carelessly"]),
        ("They shouldn't have deployed on a Friday.", ["shouldn't have"]),
        ("They shouldn’t have deployed on a Friday.", ["shouldn't have"]),  # curly apostrophe
        ("We should not have trusted the cached connection.", ["should not have"]),
        ("It was the fault of the DBA team.", ["fault of"]),
        ("It was the SRE team's fault.", ["'s fault"]),
        ("The on-call was at fault.", ["at fault"]),
        ("We blame the release process.", ["blame"]),
        ("Nobody is to blame.", ["to blame"]),  # negations are still talk of blame
        ("Ops was blamed for the log loss.", ["blamed"]),
        ("This was negligence by the operator.", ["negligence"]),
        ("A negligent rollout.", ["negligent"]),
        ("The operator failed to check the replica lag.", ["failed to"]),
        ("Sloppy reviews let it through.", ["sloppy"]),
        (
            "An incompetent change; a stupid mistake, frankly lazy work.",
            ["incompetent", "stupid", "lazy"],
        ),
        ("Nobody didn't bother to look at CloudWatch.", ["didn't bother"]),
        ("HUMAN ERROR, again.", ["human error"]),
        ("ｈｕｍａｎ ｅｒｒｏｒ, in full width.", ["human error"]),
        ("A _careless_ rollout, in Slack italics.", ["careless"]),
        ("原因はhuman errorだった。", ["human error"]),
        ("担当者の確認不足が原因。", ["確認不足"]),
        ("オペレーターの人為的ミスにより、Auroraがフェイルオーバーした。", ["人為的ミス"]),
        ("設定ミスでRedisに到達できなくなった。", ["ミス"]),
        ("ｵﾍﾟﾚｰｼｮﾝのﾐｽ。", ["ミス"]),  # half-width katakana
        ("ケアレスミスが原因です。", ["ミス"]),
        ("担当者の不注意でログが失われた。", ["不注意"]),
        ("fluent-bitのせいでログが欠損した。", ["のせい"]),
        ("監視の怠慢。", ["怠慢"]),
        ("うっかり本番DBに接続した。", ["うっかり"]),
        ("リリース前にレプリカの状態を確認すべきだった。", ["すべきだった"]),
        ("手順書を読んでおくべきだった。", ["べきだった"]),
        ("これは運用チームの責任だ。", ["責任"]),
        ("ちゃんと確認していれば防げた。", ["ちゃんと"]),
        ("アラートの見落としがあった。", ["見落とし"]),
    ],
)
def test_true_positives(text: str, expected: list[str]) -> None:
    assert phrases(text) == expected


def test_a_finding_carries_its_section_sentence_and_hint() -> None:
    text = (
        "Two brokers dropped out. The on-call engineer should have noticed the alert! We fixed it."
    )
    [finding] = check({"detection": text}, RULES)
    rule = next(rule for rule in RULES if rule.phrase == "should have")
    assert finding == Finding(
        section="detection",
        sentence="The on-call engineer should have noticed the alert!",
        phrase="should have",
        hint=rule.hint,
    )


def test_japanese_findings_carry_japanese_hints() -> None:
    [finding] = check({"root_cause": "担当者の確認不足が原因。"}, RULES)
    assert finding.sentence == "担当者の確認不足が原因。"
    assert "仕組み" in finding.hint


# ---- clean text ---------------------------------------------------------------------------

CLEAN_EN = {
    "summary": (
        "Over about nine days across the year-end, two of the Kafka brokers behind the real-time "
        "messaging backend dropped out of the cluster: the processes were alive, but ZooKeeper no "
        "longer saw them. Redundancy meant no user impact."
    ),
    "impact": (
        "For four hours, write APIs served by some Unicorn processes returned errors: after an "
        "Aurora failover, their ActiveRecord connection pools kept a cached connection to the "
        "now read-only instance. The error rate of read APIs did not change."
    ),
    "root_cause": (
        "The Redis instance behind the admin panel became unreachable and the ElastiCache "
        "failover did not fire. The node type could not be provisioned in one AZ."
    ),
    "trigger": (
        "After user growth, fluent-bit uploading to S3 could not keep up, and the design "
        "tolerated loss: about 20% of the logs were lost over a week."
    ),
    "response": "Restarted the two brokers (v2.8.1), confirmed automatic rebalancing in 1.5 minutes.",
    "detection": "A Sentry alert fired; an operations team member reported the 500s.",
    "went_well": "Our fault-tolerant design kept users unaffected. The review was blameless.",
    "went_wrong": "Two SREs investigated the same thing in parallel; closer monitoring would have caught it sooner.",
    "lucky": "It was noticed before the holidays, and the admin panel is a developers' tool.",
    "action_items": "- Patch ActiveRecord\n- Detect when the primary becomes unreachable",
    "references": "Blame-free postmortems: https://sre.google/sre-book/postmortem-culture/",
}

CLEAN_JA = {
    "summary": (
        "年末年始の約9日間、リアルタイムメッセージング基盤のKafkaブローカー2台がクラスタから外れていた。"
        "プロセスは生きていたが、ZooKeeperから見えなくなっていた。冗長構成のためユーザー影響はなかった。"
    ),
    "impact": (
        "Auroraのフェイルオーバー後、一部のRailsプロセスのActiveRecordコネクションプールが"
        "読み取り専用になったインスタンスへの接続を保持し続け、書き込みAPIが4時間エラーになった。"
    ),
    "root_cause": (
        "管理画面用のRedisインスタンスに到達できなくなり、ElastiCacheのフェイルオーバーが発動しなかった。"
        "一つのAZでそのノードタイプを確保できなかった。"
    ),
    "trigger": (
        "ユーザー増加後、S3へアップロードするfluent-bitの処理が追いつかず、設計上ログの欠損を許容していたため、"
        "約1週間で約20%のログが失われた。"
    ),
    "response": "Mem_Buf_Sizeを引き上げ、再起動でログを失わないようファイルバッファに切り替えた。",
    "detection": "別部署からの依頼に対応する中で偶然見つかった。ログを確認して影響範囲を特定した。",
    "went_well": "ミストのように細かいメトリクスもGrafanaで見えた。ミスターの愛称で呼ばれる古いサーバーも無事だった。",
    "went_wrong": "二人のSREが並行して同じ調査をした。ミスマッチな設定値が残っていた。",
    "lucky": "休暇前に気づけた。開発者向けのツールだった。",
    "action_items": "- 責任共有モデルに沿って監視範囲を見直す\n- 責任分界点を文書化する",
}


@pytest.mark.parametrize("sections", [CLEAN_EN, CLEAN_JA], ids=["en", "ja"])
def test_the_seed_incidents_written_well_are_not_flagged(sections: dict[str, str]) -> None:
    assert check(sections, RULES, people={"U1": "Tanaka", "U2": "田中"}) == []


@pytest.mark.parametrize(
    "text",
    [
        "The review was blameless.",
        "A blame-free culture.",
        "A fault-tolerant design.",
        "The error rate went up.",
        "No errors, no faults.",
        "The flag was set in the config.",
        "A human_error metric.",
        "ミストが発生した。",
        "ミスターの愛称。",
        "ミスマッチがあった。",
        "責任共有モデル。",
        "Should we have a runbook? Yes.",
    ],
)
def test_clean_text(text: str) -> None:
    assert phrases(text) == []


# ---- people named as causes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U123ABC> deployed the change.", ["<@U123ABC>"]),
        ("<@U123ABC|tanaka> deployed the change.", ["<@U123ABC|tanaka>"]),
        ("@tanaka deployed the change.", ["@tanaka"]),
        ("A deploy by @tanaka.", ["@tanaka"]),
        ("A deploy by Tanaka.", ["Tanaka"]),
        ("A deploy by TANAKA.", ["TANAKA"]),
        ("田中さんがデプロイした。", ["田中"]),
        ("A deploy by Tanakawa.", []),  # a different name
        ("@here the deploy broke it.", []),
        ("Mail ops@example.com.", []),
        ("A deploy by <@U1|Tanaka>.", ["<@U1|Tanaka>"]),  # once, not twice
        ("Tanaka and Suzuki deployed; Tanaka again.", ["Tanaka", "Suzuki"]),
    ],
)
def test_people_named_in_the_root_cause(text: str, expected: list[str]) -> None:
    people = {"U1": "Tanaka", "U2": "Suzuki", "U3": "田中", "U4": "x", "U5": " "}
    findings = check({"root_cause": text}, RULES, people=people)
    assert [f.phrase for f in findings] == expected
    assert {f.hint for f in findings} <= {PEOPLE_HINT}


def test_people_and_phrases_together() -> None:
    text = "Root cause: Tanaka forgot to renew the certificate."
    findings = check({"root_cause": text}, RULES, people={"U1": "Tanaka"})
    assert [(f.phrase, f.sentence) for f in findings] == [("Tanaka", text), ("forgot to", text)]


def test_people_are_only_looked_for_in_root_cause_and_trigger() -> None:
    sections = {s: "<@U1> restarted the brokers." for s in ("summary", "trigger", "response")}
    assert [f.section for f in check(sections, RULES)] == ["trigger"]
    only_response = check(sections, RULES, people_sections=("response",))
    assert [f.section for f in only_response] == ["response"]


def test_the_people_hint_may_be_japanese() -> None:
    hint = "人ではなく、それを許した仕組みやプロセスを書きましょう。"
    [finding] = check({"trigger": "<@U1>がデプロイした。"}, RULES, people_hint=hint)
    assert finding.hint == hint


# ---- sentences, order and overlaps ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        (
            "Took 1.5 minutes on v2.8.1 at example.com.",
            ["Took 1.5 minutes on v2.8.1 at example.com."],
        ),
        ("一つ目。二つ目！三つ目？四つ目", ["一つ目。", "二つ目！", "三つ目？", "四つ目"]),
        ("Line one\nline two\r\n\n  line three  ", ["Line one", "line two", "line three"]),
        (
            "- first item\n* second item\n• third\n> quoted\n1) numbered",
            ["first item", "second item", "third", "quoted", "numbered"],
        ),
        ("", []),
        ("  \n ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_long_sentence_is_cut_around_the_phrase() -> None:
    text = (
        "The brokers " + "kept running and " * 20 + "the on-call should have noticed " + "x " * 80
    )
    [finding] = check({"detection": text}, RULES)
    assert len(finding.sentence) <= SENTENCE_MAX
    assert finding.sentence.startswith("…") and finding.sentence.endswith("…")
    assert "should have" in finding.sentence


def test_excerpt() -> None:
    assert excerpt("short", 0, 5) == "short"
    text = "a" * 50 + "PHRASE" + "b" * 50
    assert excerpt(text, 50, 56, limit=20) == "…aaaaaaPHRASEbbbbbb…"
    assert excerpt(text, 0, 1, limit=20) == "a" * 18 + "…"
    assert excerpt(text, 105, 106, limit=20) == "…" + "b" * 18


def test_findings_follow_the_document_order() -> None:
    sections = {
        "went_wrong": "We blame the pager. Careless!",
        "zz_custom": "Sloppy.",
        "summary": "A stupid, lazy change.",
        "aa_custom": "Negligent.",
    }
    found = [(f.section, f.phrase) for f in check(sections, RULES)]
    assert found == [
        ("summary", "stupid"),
        ("summary", "lazy"),
        ("went_wrong", "blame"),
        ("went_wrong", "careless"),
        ("aa_custom", "negligent"),
        ("zz_custom", "sloppy"),
    ]
    assert SECTION_KEYS.index("summary") < SECTION_KEYS.index("went_wrong")


def test_overlapping_and_repeated_phrases_are_found_once_per_sentence() -> None:
    assert phrases("He forgot to check. It was forgotten.") == ["forgot to", "forgotten"]
    assert phrases("Blame, blame, blame.") == ["blame"]
    assert phrases("Blame. Blame.") == ["blame", "blame"]
    assert phrases("人為的ミスが原因。") == ["人為的ミス"]  # not ミス as well
    assert phrases("人為的ミスによる設定ミス。") == ["人為的ミス", "ミス"]


def test_empty_and_missing_sections() -> None:
    assert check({}, RULES) == []
    assert check({"summary": ""}, RULES) == []
    assert check({"summary": "A careless change."}, ()) == []


def test_soft_findings_do_not_block() -> None:
    text = "The failover failed to fire. The on-call should have paged."
    findings = check({"trigger": text}, RULES)
    assert [(f.phrase, f.soft) for f in findings] == [("failed to", True), ("should have", False)]
    assert blocking(findings) == findings[1:]


# ---- rules from data --------------------------------------------------------------------------


def test_load_rules() -> None:
    data = [
        {"phrase": " root cause was ", "hint": "Name the condition."},
        {"phrases": ["yolo", "cowboy"], "hint": "Say what the deploy skipped.", "whole_word": True},
        {"phrase": "障害", "hint": "h", "soft": True, "except": ["障害対応", "障害物"]},
    ]
    assert load_rules(data) == (
        Rule("root cause was", "Name the condition."),
        Rule("yolo", "Say what the deploy skipped.", whole_word=True),
        Rule("cowboy", "Say what the deploy skipped.", whole_word=True),
        Rule("障害", "h", soft=True, exceptions=("障害対応", "障害物")),
    )
    assert load_rules([]) == ()


def test_exceptions_belong_to_the_phrases_they_contain() -> None:
    data = [{"phrases": ["oops", "whoops"], "hint": "h", "except": ["whoopsie"]}]
    assert [rule.exceptions for rule in load_rules(data)] == [("whoopsie",), ("whoopsie",)]
    data = [{"phrases": ["ugh", "meh"], "hint": "h", "except": ["mehh"]}]
    assert [rule.exceptions for rule in load_rules(data)] == [(), ("mehh",)]


def test_a_rule_without_whole_word_matches_inside_words() -> None:
    rules = load_rules([{"phrase": "oops", "hint": "h"}])
    assert [f.phrase for f in check({"summary": "Whoopsie."}, rules)] == ["oops"]
    rules = load_rules([{"phrase": "oops", "hint": "h", "whole_word": True}])
    assert check({"summary": "Whoopsie."}, rules) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phrase": "x"}, "expected a list of entries"),
        ([{"phrase": "x", "hint": "h"}, "careless"], "entry 1: expected a mapping"),
        ([{"phrase": "x", "hint": "h", "wholeword": True}], "entry 0 wholeword: unknown key"),
        ([{"hint": "h"}], "entry 0: needs either phrase or phrases"),
        ([{"phrase": "x", "phrases": ["y"], "hint": "h"}], "entry 0: needs either"),
        ([{"phrase": "x"}], "entry 0 hint: expected some text, got None"),
        ([{"phrase": "x", "hint": "  "}], "entry 0 hint: expected some text"),
        ([{"phrase": "", "hint": "h"}], "entry 0 phrase: expected some text"),
        ([{"phrase": 3, "hint": "h"}], "entry 0 phrase: expected some text, got 3"),
        ([{"phrases": "x", "hint": "h"}], "entry 0 phrases: expected a list"),
        ([{"phrases": [], "hint": "h"}], "entry 0 phrases: expected a list"),
        ([{"phrases": ["x", None], "hint": "h"}], "entry 0 phrases: expected some text"),
        ([{"phrase": "x", "hint": "h", "whole_word": "yes"}], "entry 0 whole_word: expected true"),
        ([{"phrase": "x", "hint": "h", "soft": 1}], "entry 0 soft: expected true or false"),
        ([{"phrase": "x", "hint": "h", "except": "xy"}], "entry 0 except: expected a list"),
        ([{"phrase": "x", "hint": "h", "except": ["abc"]}], "'abc' does not contain the phrase"),
    ],
)
def test_invalid_rules_name_the_entry(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?")):
        load_rules(data)


def test_rule_errors_say_where() -> None:
    with pytest.raises(RuleError) as info:
        load_rules([{"phrase": "x", "hint": "h"}, {"phrase": "y", "hint": 3}])
    assert (info.value.index, info.value.key) == (1, "hint")
    assert "got 3" in info.value.problem
