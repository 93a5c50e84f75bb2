import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.domain.blameless import Rule, default_rules
from bot.domain.calendar import WorkCalendar
from bot.domain.policy import Policy, PolicyError
from bot.domain.reminders import ReminderPolicy
from bot.domain.triggers import TriggerPolicy

SEV_PATH = "triggers.severity.max_severity"
FULL_EXAMPLE: dict[str, Any] = {
    "locale": "ja",
    "display_timezone": "Asia/Tokyo",
    "template_dir": "./my-templates",
    "channel_prefix": "incident",
    "share": "canvas",
    "postmortem": {"author": "declarer", "reviewers": ["U123", "U456"]},
    "triggers": {
        "impact": {"enabled": True, "threshold": "30m"},
        "data-loss": {"enabled": True},
        "intervention": {"enabled": False},
        "duration": {"enabled": True, "threshold": "2h"},
        "detection": {"enabled": True},
        "severity": {"enabled": True, "max_severity": 2},
    },
    "reminders": {
        "business_days": True,
        "working_hours": {"start": "09:30", "end": "17:45"},
        "working_days": ["mon", "tue", "wed", "thu", "sat"],
        "holidays": [date(2021, 12, 29), "2022-01-03"],  # PyYAML gives dates; quoted, strings
        "author": {"after": "3d", "every": "1d"},
        "reviewer": {"after": "4h", "every": "2d"},
        "escalate_after": 2,
        "retro": {"within": "4d", "within_sev1": "2d", "remind_before": "12h"},
        "snooze": "2h",
        "digest": {"channel": "C0123ABC", "every": "14d"},
        "poll_interval": "10s",
        "max_attempts": 7,
        "keep_for": "30d",
    },
    "review": {"approvals": 2, "publish_channel": "C0PUBLIC1", "escalation_channel": "G0ESCAL1"},
}
FULL_REMINDERS = ReminderPolicy(
    calendar=WorkCalendar(
        business_days=True,
        start=time(9, 30),
        end=time(17, 45),
        days=frozenset({0, 1, 2, 3, 5}),
        holidays=frozenset({date(2021, 12, 29), date(2022, 1, 3)}),
    ),
    author_after=timedelta(days=3),
    author_every=timedelta(days=1),
    reviewer_after=timedelta(hours=4),
    reviewer_every=timedelta(days=2),
    escalate_after=2,
    retro_within=timedelta(days=4),
    retro_within_sev1=timedelta(days=2),
    retro_reminder_before=timedelta(hours=12),
    snooze=timedelta(hours=2),
    digest_channel="C0123ABC",
    digest_every=timedelta(days=14),
    poll_interval=timedelta(seconds=10),
    max_attempts=7,
    keep_for=timedelta(days=30),
)


def test_default() -> None:
    policy = Policy.default()
    assert policy == Policy()
    assert policy.triggers == TriggerPolicy()
    assert (policy.locale, policy.display_timezone, policy.template_dir) == ("en", None, None)
    assert policy.tz == ZoneInfo("UTC")  # the team's calendar; documents: each incident's zone
    assert policy.document_tz("America/Los_Angeles") == ZoneInfo("America/Los_Angeles")
    assert policy.document_tz(None) == policy.document_tz("Not/AZone") == ZoneInfo("UTC")
    tokyo = Policy.from_mapping({"display_timezone": "Asia/Tokyo"})
    assert tokyo.document_tz("America/Los_Angeles") == ZoneInfo("Asia/Tokyo")  # the policy wins
    assert (policy.postmortem_author, policy.reviewers) == ("closer", ())
    assert (policy.share, policy.channel_prefix) == ("auto", "inc")
    assert policy.review_approvals is None
    assert (policy.publish_channel, policy.escalation_channel) == (None, None)
    assert policy.reminders == ReminderPolicy()


def test_default_reminders() -> None:
    reminders = ReminderPolicy()
    assert reminders.calendar == WorkCalendar()
    assert (reminders.author_after, reminders.author_every) == (timedelta(days=2),) * 2
    assert (reminders.reviewer_after, reminders.reviewer_every) == (timedelta(days=1),) * 2
    assert reminders.escalate_after == 3
    assert reminders.retro_within == timedelta(days=5)
    assert reminders.retro_within_sev1 == timedelta(days=3)
    assert reminders.retro_reminder_before == timedelta(days=1)
    assert reminders.snooze == timedelta(days=1)
    assert (reminders.digest_channel, reminders.digest_every) == (None, timedelta(days=7))
    assert reminders.poll_interval == timedelta(seconds=30)
    assert reminders.max_attempts == 5
    assert reminders.keep_for == timedelta(days=90)


def test_empty_mapping_is_the_default() -> None:
    assert Policy.from_mapping({}) == Policy.default()


def test_full_example() -> None:
    assert Policy.from_mapping(FULL_EXAMPLE) == Policy(
        triggers=TriggerPolicy(
            impact=timedelta(minutes=30),
            data_loss=True,
            intervention=False,
            duration=timedelta(hours=2),
            detection=True,
            severity=2,
        ),
        locale="ja",
        display_timezone="Asia/Tokyo",
        template_dir="./my-templates",
        postmortem_author="declarer",
        reviewers=("U123", "U456"),
        share="canvas",
        channel_prefix="incident",
        review_approvals=2,
        publish_channel="C0PUBLIC1",
        escalation_channel="G0ESCAL1",
        reminders=FULL_REMINDERS,
    )


def test_tz() -> None:
    assert Policy.from_mapping({"display_timezone": "Asia/Tokyo"}).tz == ZoneInfo("Asia/Tokyo")


def test_missing_keys_keep_defaults() -> None:
    policy = Policy.from_mapping({"triggers": {"impact": {"threshold": "5m"}}})
    assert policy.triggers == TriggerPolicy(impact=timedelta(minutes=5))
    assert policy.locale == "en"


@pytest.mark.parametrize(
    ("triggers", "expected"),
    [
        ({"impact": False}, TriggerPolicy(impact=None)),
        ({"impact": True}, TriggerPolicy()),
        ({"impact": {"enabled": False}}, TriggerPolicy(impact=None)),
        ({"impact": {"enabled": False, "threshold": "5m"}}, TriggerPolicy(impact=None)),
        ({"impact": {}}, TriggerPolicy()),
        ({"duration": False}, TriggerPolicy(duration=None)),
        ({"duration": {"threshold": "90m"}}, TriggerPolicy(duration=timedelta(minutes=90))),
        ({"data-loss": False}, TriggerPolicy(data_loss=False)),
        ({"data-loss": {"enabled": False}}, TriggerPolicy(data_loss=False)),
        ({"intervention": False}, TriggerPolicy(intervention=False)),
        ({"detection": {"enabled": False}}, TriggerPolicy(detection=False)),
        ({"detection": True}, TriggerPolicy()),
        ({"severity": False}, TriggerPolicy(severity=None)),
        ({"severity": {"enabled": False}}, TriggerPolicy(severity=None)),
        ({"severity": {"max_severity": 1}}, TriggerPolicy(severity=1)),
        ({"severity": {"enabled": False, "max_severity": 3}}, TriggerPolicy(severity=None)),
        ({"severity": {"enabled": True, "max_severity": 4}}, TriggerPolicy(severity=4)),
    ],
)
def test_trigger_forms(triggers: dict[str, Any], expected: TriggerPolicy) -> None:
    assert Policy.from_mapping({"triggers": triggers}).triggers == expected


@pytest.mark.parametrize("author", ["closer", "declarer"])
def test_authors(author: str) -> None:
    assert Policy.from_mapping({"postmortem": {"author": author}}).postmortem_author == author


@pytest.mark.parametrize("share", ["auto", "canvas", "file"])
def test_share_modes(share: str) -> None:
    assert Policy.from_mapping({"share": share}).share == share


def test_reviewers_keep_order_and_drop_repeats() -> None:
    policy = Policy.from_mapping({"postmortem": {"reviewers": ["U2", "W1", "U2"]}})
    assert policy.reviewers == ("U2", "W1")


# ---- review and reminders ------------------------------------------------------------------

ISSUE_EXAMPLE: dict[str, Any] = {
    "reminders": {
        "business_days": True,
        "working_hours": {"start": "10:00", "end": "18:00"},
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": [date(2021, 12, 29), date(2022, 1, 3)],
        "author": {"after": "2d", "every": "2d"},
        "reviewer": {"after": "1d", "every": "1d"},
        "escalate_after": 3,
        "retro": {"within": "5d", "within_sev1": "3d", "remind_before": "1d"},
        "snooze": "1d",
        "digest": {"channel": "C0123ABC", "every": "7d"},
        "poll_interval": "30s",
        "max_attempts": 5,
    },
    "review": {
        "approvals": "all",
        "publish_channel": "C0PUBLIC1",
        "escalation_channel": "C0ESCAL1",
    },
}


def test_the_issue_example_is_the_defaults_plus_holidays_and_channels() -> None:
    policy = Policy.from_mapping(ISSUE_EXAMPLE)
    holidays = frozenset({date(2021, 12, 29), date(2022, 1, 3)})
    assert policy.reminders == ReminderPolicy(
        calendar=WorkCalendar(holidays=holidays), digest_channel="C0123ABC"
    )
    assert policy.review_approvals is None
    assert (policy.publish_channel, policy.escalation_channel) == ("C0PUBLIC1", "C0ESCAL1")


ISSUE_YAML = """
reminders:
  business_days: true
  working_hours: {start: "10:00", end: "18:00"}
  working_days: [mon, tue, wed, thu, fri]
  holidays: [2021-12-29, 2022-01-03]
  author: {after: 2d, every: 2d}
  reviewer: {after: 1d, every: 1d}
  escalate_after: 3
  retro: {within: 5d, within_sev1: 3d, remind_before: 1d}
  snooze: 1d
  digest: {channel: C0123ABC, every: 7d}
  poll_interval: 30s
  max_attempts: 5
review:
  approvals: all
  publish_channel: C0PUBLIC1
  escalation_channel: C0ESCAL1
"""


def test_the_issue_example_read_by_pyyaml() -> None:
    assert Policy.from_mapping(yaml.safe_load(ISSUE_YAML)) == Policy.from_mapping(ISSUE_EXAMPLE)


def test_unquoted_working_hours_in_yaml_ask_for_quotes() -> None:
    data = yaml.safe_load("reminders: {working_hours: {start: 10:00}}")  # YAML 1.1: 600
    with pytest.raises(PolicyError, match='in quotes like "10:00", got 600'):
        Policy.from_mapping(data)


def test_empty_sections_are_the_defaults() -> None:
    assert Policy.from_mapping({"reminders": {}, "review": {}}) == Policy()


def test_reminders_for_tests_use_seconds_without_the_calendar() -> None:
    data = {
        "business_days": False,
        "author": {"after": "3s", "every": "2s"},
        "reviewer": {"after": "1s"},
        "poll_interval": "1s",
    }
    reminders = Policy.from_mapping({"reminders": data}).reminders
    assert reminders.calendar == WorkCalendar(business_days=False)
    assert (reminders.author_after, reminders.author_every) == (
        timedelta(seconds=3),
        timedelta(seconds=2),
    )
    assert reminders.reviewer_after == timedelta(seconds=1)
    assert reminders.reviewer_every == timedelta(days=1)  # not given: the default
    assert reminders.poll_interval == timedelta(seconds=1)


@pytest.mark.parametrize(
    ("hours", "start", "end"),
    [
        ({"start": "9:00"}, time(9), time(18)),
        ({"end": "17:30"}, time(10), time(17, 30)),
        ({"start": "00:00", "end": "23:59"}, time(0), time(23, 59)),
    ],
)
def test_working_hours(hours: dict[str, str], start: time, end: time) -> None:
    calendar = Policy.from_mapping({"reminders": {"working_hours": hours}}).reminders.calendar
    assert (calendar.start, calendar.end) == (start, end)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (["mon"], {0}),
        (["Sun", "SATURDAY", "friday", "sun"], {4, 5, 6}),
        (["mon", "tue", "wed", "thu", "fri", "sat", "sun"], set(range(7))),
    ],
)
def test_working_days(days: list[str], expected: set[int]) -> None:
    calendar = Policy.from_mapping({"reminders": {"working_days": days}}).reminders.calendar
    assert calendar.days == frozenset(expected)


def test_holidays_may_be_empty() -> None:
    calendar = Policy.from_mapping({"reminders": {"holidays": []}}).reminders.calendar
    assert calendar.holidays == frozenset()


@pytest.mark.parametrize("approvals", ["all", 1, 3])
def test_review_approvals(approvals: Any) -> None:
    expected = None if approvals == "all" else approvals
    assert Policy.from_mapping({"review": {"approvals": approvals}}).review_approvals == expected


def test_private_postmortems_are_published_nowhere_else_unless_the_policy_says() -> None:
    assert Policy().private_publish_channel is None
    policy = Policy.from_mapping(
        {"review": {"publish_channel": "C0PUBLIC1", "private_publish_channel": "G0SECRET1"}}
    )
    assert (policy.publish_channel, policy.private_publish_channel) == ("C0PUBLIC1", "G0SECRET1")


def test_channels_may_be_null() -> None:
    data = {"review": {"publish_channel": None}, "reminders": {"digest": {"channel": None}}}
    policy = Policy.from_mapping(data)
    assert (policy.publish_channel, policy.reminders.digest_channel) == (None, None)


def test_the_sev1_retro_deadline_ignores_the_business_calendar() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    friday_3pm = datetime(2021, 12, 24, 6, tzinfo=UTC)  # 15:00 in Tokyo
    reminders = ReminderPolicy()
    # Sev 1: three calendar days, landing on a Monday; weekends don't count down slower.
    assert reminders.retro_deadline(friday_3pm, severity=1, tz=tokyo) == datetime(
        2021, 12, 27, 6, tzinfo=UTC
    )
    # Others: five business days, Friday to Friday.
    for severity in (2, 3, 4, None):
        assert reminders.retro_deadline(friday_3pm, severity=severity, tz=tokyo) == datetime(
            2021, 12, 31, 6, tzinfo=UTC
        )


R = "reminders"


@pytest.mark.parametrize(
    ("data", "path", "problem"),
    [
        ({R: []}, R, "expected a mapping, got list"),
        ({R: {"business_days": "yes"}}, f"{R}.business_days", "true or false"),
        ({R: {"working_hours": "10-18"}}, f"{R}.working_hours", "expected a mapping"),
        ({R: {"working_hours": {"begin": "10:00"}}}, f"{R}.working_hours.begin", "unknown key"),
        (
            {R: {"working_hours": {"start": 600}}},
            f"{R}.working_hours.start",
            'in quotes like "10:00"',
        ),
        ({R: {"working_hours": {"start": "24:00"}}}, f"{R}.working_hours.start", "'24:00'"),
        ({R: {"working_hours": {"end": "18:60"}}}, f"{R}.working_hours.end", "'18:60'"),
        ({R: {"working_hours": {"end": "6pm"}}}, f"{R}.working_hours.end", "'6pm'"),
        ({R: {"working_hours": {"start": "18:00"}}}, f"{R}.working_hours", "must be before end"),
        (
            {R: {"working_hours": {"start": "12:00", "end": "09:00"}}},
            f"{R}.working_hours",
            "start (12:00) must be before end (09:00)",
        ),
        ({R: {"working_days": "mon-fri"}}, f"{R}.working_days", "list of days"),
        ({R: {"working_days": []}}, f"{R}.working_days", "list of days"),
        ({R: {"working_days": ["mon", "fri", "tues"]}}, f"{R}.working_days[2]", "'tues'"),
        ({R: {"working_days": [0]}}, f"{R}.working_days[0]", "like mon or monday"),
        ({R: {"holidays": "2021-12-29"}}, f"{R}.holidays", "list of dates"),
        ({R: {"holidays": ["2021-12-29", "2021-02-30"]}}, f"{R}.holidays[1]", "no day"),
        ({R: {"holidays": ["29/12/2021"]}}, f"{R}.holidays[0]", "like 2021-12-29"),
        ({R: {"holidays": ["20211229"]}}, f"{R}.holidays[0]", "like 2021-12-29"),
        ({R: {"holidays": [datetime(2021, 12, 29, 10)]}}, f"{R}.holidays[0]", "like 2021-12-29"),
        ({R: {"holidays": [20211229]}}, f"{R}.holidays[0]", "like 2021-12-29"),
        ({R: {"author": "2d"}}, f"{R}.author", "expected a mapping"),
        ({R: {"author": {"afer": "2d"}}}, f"{R}.author.afer", "did you mean 'after'"),
        ({R: {"author": {"after": "0d"}}}, f"{R}.author.after", "more than zero"),
        ({R: {"author": {"every": 2}}}, f"{R}.author.every", "like 20m"),
        ({R: {"reviewer": {"every": "1 day"}}}, f"{R}.reviewer.every", "'1 day'"),
        ({R: {"reviewer": {"after": "-1d"}}}, f"{R}.reviewer.after", "'-1d'"),
        ({R: {"retro": {"within_sev2": "3d"}}}, f"{R}.retro.within_sev2", "unknown key"),
        ({R: {"retro": {"within": "0s"}}}, f"{R}.retro.within", "more than zero"),
        ({R: {"retro": {"remind_before": "2y"}}}, f"{R}.retro.remind_before", "'2y'"),
        ({R: {"snooze": "0m"}}, f"{R}.snooze", "more than zero"),
        ({R: {"snooze": "400d"}}, f"{R}.snooze", "longer than a year"),
        ({R: {"poll_interval": 30}}, f"{R}.poll_interval", "like 20m"),
        ({R: {"escalate_after": 0}}, f"{R}.escalate_after", "1 or more, got 0"),
        ({R: {"escalate_after": -2}}, f"{R}.escalate_after", "1 or more"),
        ({R: {"escalate_after": True}}, f"{R}.escalate_after", "got True"),
        ({R: {"escalate_after": "3"}}, f"{R}.escalate_after", "got '3'"),
        ({R: {"max_attempts": 0}}, f"{R}.max_attempts", "1 or more"),
        ({R: {"max_attempts": 2.5}}, f"{R}.max_attempts", "got 2.5"),
        ({R: {"digest": "C0123ABC"}}, f"{R}.digest", "expected a mapping"),
        ({R: {"digest": {"channel": "#postmortems"}}}, f"{R}.digest.channel", "channel id"),
        ({R: {"digest": {"channel": "c0123abc"}}}, f"{R}.digest.channel", "channel id"),
        ({R: {"digest": {"every": "0d"}}}, f"{R}.digest.every", "more than zero"),
        ({R: {"digest": {"day": "mon"}}}, f"{R}.digest.day", "unknown key"),
        ({R: {"escalate": 3}}, f"{R}.escalate", "did you mean 'escalate_after'"),
        ({"review": "all"}, "review", "expected a mapping"),
        ({"review": {"approvals": 0}}, "review.approvals", "all or a whole number"),
        ({"review": {"approvals": "2"}}, "review.approvals", "got '2'"),
        ({"review": {"approvals": "ALL"}}, "review.approvals", "got 'ALL'"),
        ({"review": {"approvals": True}}, "review.approvals", "got True"),
        ({"review": {"approvals": None}}, "review.approvals", "got None"),
        ({"review": {"publish_channel": "postmortems"}}, "review.publish_channel", "channel id"),
        ({"review": {"publish_channel": "U0123ABC"}}, "review.publish_channel", "channel id"),
        ({"review": {"publish_channel": "C1"}}, "review.publish_channel", "channel id"),
        ({"review": {"escalation_channel": 42}}, "review.escalation_channel", "channel id"),
        (
            {"review": {"private_publish_channel": "#secret"}},
            "review.private_publish_channel",
            "channel id",
        ),
        ({"review": {"blameless": True}}, "review.blameless", "unknown key"),
    ],
)
def test_invalid_review_and_reminders(data: Any, path: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=f"^{re.escape(path)}: .*{re.escape(problem)}") as info:
        Policy.from_mapping(data)
    assert info.value.path == path


def test_required_sections_default_and_forms() -> None:
    assert Policy.default().required_sections == ("summary", "impact", "root_cause", "action_items")
    required = {"required": ["Root-Cause", "action-items", "root_cause", "lucky"]}
    policy = Policy.from_mapping({"postmortem": required})
    assert policy.required_sections == ("root_cause", "action_items", "lucky")
    assert Policy.from_mapping({"postmortem": {"required": []}}).required_sections == ()


def test_template_dir_may_be_null() -> None:
    assert Policy.from_mapping({"template_dir": None}).template_dir is None


@pytest.mark.parametrize(
    ("data", "path", "problem"),
    [
        ([], "(top level)", "expected a mapping"),
        ({"locale": "fr"}, "locale", "expected one of en, ja"),
        ({"locale": "EN"}, "locale", "expected one of en, ja"),
        ({"display_timezone": "Mars/Olympus"}, "display_timezone", "unknown time zone"),
        ({"display_timezone": "JST+9"}, "display_timezone", "unknown time zone"),
        ({"display_timezone": "../../etc/passwd"}, "display_timezone", "unknown time zone"),
        ({"display_timezone": ""}, "display_timezone", "unknown time zone"),
        ({"display_timezone": 9}, "display_timezone", "unknown time zone"),
        ({"template_dir": ""}, "template_dir", "expected a directory path"),
        ({"template_dir": 3}, "template_dir", "expected a directory path"),
        ({"channel_prefix": "INC"}, "channel_prefix", "lower-case letters"),
        ({"channel_prefix": "inc-"}, "channel_prefix", "lower-case letters"),
        ({"channel_prefix": ""}, "channel_prefix", "lower-case letters"),
        ({"channel_prefix": "a" * 21}, "channel_prefix", "up to 20"),
        ({"channel_prefix": "in c"}, "channel_prefix", "lower-case letters"),
        ({"share": "email"}, "share", "expected one of auto, canvas, file"),
        ({"postmortem": "closer"}, "postmortem", "expected a mapping, got str"),
        ({"postmortem": {"author": "boss"}}, "postmortem.author", "closer, declarer"),
        ({"postmortem": {"reviewers": "U123"}}, "postmortem.reviewers", "list of Slack user"),
        ({"postmortem": {"reviewers": ["U1", "@bob"]}}, "postmortem.reviewers[1]", "'@bob'"),
        ({"postmortem": {"reviewers": [123]}}, "postmortem.reviewers[0]", "user id"),
        ({"postmortem": {"required": "summary"}}, "postmortem.required", "a list of sections"),
        ({"postmortem": {"required": None}}, "postmortem.required", "a list of sections"),
        (
            {"postmortem": {"required": ["summary", "rootcause"]}},
            "postmortem.required[1]",
            "'rootcause' is not a section (did you mean 'root_cause'?); sections: summary,",
        ),
        ({"postmortem": {"required": ["timeline"]}}, "postmortem.required[0]", "not a section"),
        ({"postmortem": {"required": ["no_action_items"]}}, "postmortem.required[0]", "not a"),
        ({"postmortem": {"required": [3]}}, "postmortem.required[0]", "3 is not a section"),
        ({"triggers": None}, "triggers", "expected a mapping, got nothing"),
        ({"triggers": {"impact": "20m"}}, "triggers.impact", "expected a mapping"),
        ({"triggers": {"impact": {"threshold": 20}}}, "triggers.impact.threshold", "like 20m"),
        ({"triggers": {"impact": {"threshold": "5x"}}}, "triggers.impact.threshold", "'5x'"),
        ({"triggers": {"impact": {"threshold": "0m"}}}, "triggers.impact.threshold", "more than"),
        (
            {"triggers": {"impact": {"enabled": False, "threshold": "nope"}}},
            "triggers.impact.threshold",
            "'nope'",
        ),
        ({"triggers": {"duration": {"threshold": "400d"}}}, "triggers.duration.threshold", "year"),
        ({"triggers": {"impact": {"enabled": "yes"}}}, "triggers.impact.enabled", "true or false"),
        (
            {"triggers": {"data-loss": {"threshold": "5m"}}},
            "triggers.data-loss.threshold",
            "unknown",
        ),
        ({"triggers": {"severity": True}}, "triggers.severity", "needs max_severity"),
        ({"triggers": {"severity": {}}}, "triggers.severity", "needs max_severity"),
        ({"triggers": {"severity": {"max_severity": 5}}}, "triggers.severity.max_severity", "1, 2"),
        ({"triggers": {"severity": {"max_severity": True}}}, SEV_PATH, "got True"),
        ({"triggers": {"severity": {"max_severity": "2"}}}, SEV_PATH, "got '2'"),
        ({"triggers": {"severity": {"max_severity": 2.0}}}, SEV_PATH, "got 2.0"),
    ],
)
def test_invalid(data: Any, path: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=f"^{re.escape(path)}: .*{re.escape(problem)}") as info:
        Policy.from_mapping(data)
    assert info.value.path == path


@pytest.mark.parametrize(
    ("data", "path", "hint"),
    [
        ({"locael": "en"}, "locael", "did you mean 'locale'"),
        ({"triggers": {"impat": False}}, "triggers.impat", "did you mean 'impact'"),
        ({"triggers": {"data_loss": False}}, "triggers.data_loss", "did you mean 'data-loss'"),
        ({"triggers": {"impact": {"treshold": "5m"}}}, "triggers.impact.treshold", "'threshold'"),
        ({"postmortem": {"reviewer": []}}, "postmortem.reviewer", "'reviewers'"),
        ({"remindres": {}}, "remindres", "did you mean 'reminders'"),
        ({"reveiw": {}}, "reveiw", "Known keys: locale"),
    ],
)
def test_unknown_keys_are_errors_with_a_hint(data: Any, path: str, hint: str) -> None:
    with pytest.raises(
        PolicyError, match=f"^{re.escape(path)}: unknown key.*{re.escape(hint)}"
    ) as info:
        Policy.from_mapping(data)
    assert info.value.path == path


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


# ---- blameless check -----------------------------------------------------------------------

B = "blameless"


def test_the_default_policy_carries_both_built_in_lists() -> None:
    policy = Policy()
    assert policy.blameless_rules == default_rules(("en", "ja"))
    assert {"human error", "should have", "ミス", "不注意"} <= {
        rule.phrase for rule in policy.blameless_rules
    }
    assert policy.blameless_block_ready is False
    assert "blameless_rules" not in repr(policy)  # too long to log


def test_an_empty_blameless_section_is_the_default() -> None:
    assert Policy.from_mapping({B: {}}) == Policy()
    assert Policy.from_mapping({B: {"builtin": True, "ignore": [], "extra": []}}) == Policy()


def test_block_ready() -> None:
    assert Policy.from_mapping({B: {"block_ready": True}}).blameless_block_ready is True


def test_extra_phrases_come_after_the_built_in_ones() -> None:
    extra = {"phrase": "cowboy", "hint": "Say which check the deploy skipped.", "whole_word": True}
    rules = Policy.from_mapping({B: {"extra": [extra]}}).blameless_rules
    assert rules == default_rules() + (Rule("cowboy", extra["hint"], whole_word=True),)


def test_an_extra_entry_replaces_the_built_in_phrase() -> None:
    extra = [{"phrase": "Human Error", "hint": "Our own hint."}]
    rules = Policy.from_mapping({B: {"extra": extra}}).blameless_rules
    assert [r for r in rules if r.phrase.lower() == "human error"] == [
        Rule("Human Error", "Our own hint.")
    ]
    assert len(rules) == len(default_rules())


def test_ignored_phrases_are_dropped_from_the_built_in_lists() -> None:
    rules = Policy.from_mapping({B: {"ignore": ["should have", "  Failed To ", "ちゃんと"]}})
    phrases = {rule.phrase for rule in rules.blameless_rules}
    assert not phrases & {"should have", "failed to", "ちゃんと"}
    assert len(phrases) == len(default_rules()) - 3
    assert "shouldn't have" in phrases


def test_built_in_lists_may_be_switched_off_or_chosen() -> None:
    extra = [{"phrase": "yolo", "hint": "h"}]
    policy = Policy.from_mapping({B: {"builtin": False, "extra": extra}})
    assert policy.blameless_rules == (Rule("yolo", "h"),)
    assert Policy.from_mapping({B: {"builtin": False}}).blameless_rules == ()
    ja = Policy.from_mapping({B: {"builtin": ["ja"]}}).blameless_rules
    assert ja == default_rules(("ja",))


BLAMELESS_YAML = """
blameless:
  block_ready: true
  builtin: true
  ignore: ["should have", 責任]
  extra:
    - {phrase: "cowboy deploy", hint: "Say which check the deploy skipped."}
    - phrases: [犯人]
      hint: 「犯人」探しではなく、仕組みの穴を書きましょう。
      soft: true
"""


def test_the_blameless_section_read_by_pyyaml() -> None:
    policy = Policy.from_mapping(yaml.safe_load(BLAMELESS_YAML))
    assert policy.blameless_block_ready is True
    builtin = tuple(r for r in default_rules() if r.phrase not in ("should have", "責任"))
    assert policy.blameless_rules == builtin + (
        Rule("cowboy deploy", "Say which check the deploy skipped."),
        Rule("犯人", "「犯人」探しではなく、仕組みの穴を書きましょう。", soft=True),
    )


@pytest.mark.parametrize(
    ("data", "path", "problem"),
    [
        ({B: True}, B, "expected a mapping, got bool"),
        ({B: {"block": True}}, f"{B}.block", "did you mean 'block_ready'"),
        ({B: {"extras": []}}, f"{B}.extras", "did you mean 'extra'"),
        ({B: {"block_ready": "yes"}}, f"{B}.block_ready", "true or false"),
        ({B: {"builtin": "en"}}, f"{B}.builtin", "true, false or a list"),
        ({B: {"builtin": ["en", "fr"]}}, f"{B}.builtin[1]", "one of en, ja, got 'fr'"),
        ({B: {"ignore": "should have"}}, f"{B}.ignore", "list of built-in phrases"),
        (
            {B: {"ignore": ["careless", "shuold have"]}},
            f"{B}.ignore[1]",
            "did you mean 'should have'",
        ),
        ({B: {"ignore": [3]}}, f"{B}.ignore[0]", "3 is not a built-in phrase"),
        ({B: {"builtin": False, "ignore": ["careless"]}}, f"{B}.ignore[0]", "not a built-in"),
        ({B: {"builtin": ["ja"], "ignore": ["careless"]}}, f"{B}.ignore[0]", "not a built-in"),
        ({B: {"extra": {"phrase": "x", "hint": "h"}}}, f"{B}.extra", "expected a list"),
        ({B: {"extra": ["cowboy"]}}, f"{B}.extra[0]", "expected a mapping"),
        (
            {B: {"extra": [{"phrase": "x", "hint": "h"}, {"phrase": "y"}]}},
            f"{B}.extra[1].hint",
            "expected some text",
        ),
        (
            {B: {"extra": [{"phrase": "", "hint": "h"}]}},
            f"{B}.extra[0].phrase",
            "expected some text",
        ),
        (
            {B: {"extra": [{"phrase": "x", "hint": "h", "whole_word": 1}]}},
            f"{B}.extra[0].whole_word",
            "true or false",
        ),
        (
            {B: {"extra": [{"phrase": "x", "hint": "h", "regex": "x+"}]}},
            f"{B}.extra[0].regex",
            "unknown key",
        ),
        ({B: {"extra": [{"hint": "h"}]}}, f"{B}.extra[0]", "needs either phrase or phrases"),
        (
            {B: {"extra": [{"phrase": "x", "hint": "h", "except": ["y"]}]}},
            f"{B}.extra[0].except",
            "does not contain",
        ),
    ],
)
def test_invalid_blameless(data: Any, path: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=f"^{re.escape(path)}: .*{re.escape(problem)}") as info:
        Policy.from_mapping(data)
    assert info.value.path == path
