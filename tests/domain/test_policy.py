import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.policy import Policy, PolicyError
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
}


def test_default() -> None:
    policy = Policy.default()
    assert policy == Policy()
    assert policy.triggers == TriggerPolicy()
    assert (policy.locale, policy.display_timezone, policy.template_dir) == ("en", "UTC", None)
    assert (policy.postmortem_author, policy.reviewers) == ("closer", ())
    assert (policy.share, policy.channel_prefix) == ("auto", "inc")


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
        ({"reminders": {}}, "reminders", "Known keys: locale"),
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
