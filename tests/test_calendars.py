"""Public holidays from the `holidays` library, merged with a team's own dates into the working
calendar that nudges and due dates count in (bot/calendars.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.calendars import with_public_holidays
from bot.domain.calendar import due_after
from bot.domain.policy import Policy
from bot.domain.policy_fields import PolicyError
from bot.settings import SettingsError, load_policy

TOKYO = ZoneInfo("Asia/Tokyo")


def _policy(holidays: object) -> Policy:
    return with_public_holidays(
        Policy.from_mapping({"reminders": {"holidays": holidays}}), year=2026
    )


def test_a_countrys_public_holidays_join_the_teams_own_days() -> None:
    cal = _policy({"country": "JP", "dates": ["2026-12-29"]}).reminders.calendar
    assert date(2026, 11, 23) in cal.holidays  # 勤労感謝の日, Labor Thanksgiving Day
    assert date(2027, 1, 1) in cal.holidays  # the years ahead too
    assert date(2026, 12, 29) in cal.holidays  # the team's own
    assert date(2026, 11, 24) not in cal.holidays


def test_a_nudge_due_in_one_working_day_skips_the_holiday() -> None:
    cal = _policy({"country": "JP"}).reminders.calendar
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=TOKYO)
    due = due_after(friday, timedelta(days=1), tz=TOKYO, cal=cal)
    assert due.astimezone(TOKYO).date() == date(2026, 11, 24)  # not Monday the 23rd


def test_a_subdivision_adds_its_own_days() -> None:
    california = _policy({"country": "US", "subdivision": "CA"}).reminders.calendar
    assert date(2026, 11, 27) in california.holidays  # the day after Thanksgiving, in CA


@pytest.mark.parametrize(
    "holidays, where",
    [
        ({"country": "XX"}, "reminders.holidays.country"),
        ({"country": "JP", "subdivision": "99"}, "reminders.holidays.subdivision"),
        ({"country": "jp"}, "reminders.holidays.country"),
        ({"country": "JP", "dates": ["2026-02-30"]}, "reminders.holidays.dates[0]"),
        ({"country": "JP", "region": "13"}, "reminders.holidays.region"),
    ],
)
def test_an_unknown_calendar_is_named(holidays: object, where: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _policy(holidays)
    assert caught.value.path == where


def test_a_policy_file_gets_its_public_holidays_when_loaded(tmp_path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump({"reminders": {"holidays": {"country": "JP"}}}))
    assert date(2026, 11, 23) in load_policy(str(path)).reminders.calendar.holidays
    path.write_text(yaml.safe_dump({"reminders": {"holidays": {"country": "ZZ"}}}))
    with pytest.raises(SettingsError, match="reminders.holidays.country"):
        load_policy(str(path))


def test_a_list_of_dates_still_works_without_a_country() -> None:
    cal = _policy(["2026-12-29"]).reminders.calendar
    assert cal.holidays == frozenset({date(2026, 12, 29)}) and cal.public_holidays is None
