"""The outbox's pure rules: when to try again, when to give up, when to tell a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.outbox import MAX_ATTEMPTS, Effect, after_failure, backoff

NOW = datetime(2021, 12, 28, 12, 0, tzinfo=UTC)
BASE = timedelta(seconds=30)


def effect(**kw) -> Effect:
    return Effect(id=1, kind="publication", subject_id=7, key="publish:1", **kw)


def test_backoff_doubles_from_the_base_and_stops_at_an_hour():
    assert [backoff(n, BASE) for n in (1, 2, 3)] == [BASE, 2 * BASE, 4 * BASE]
    assert backoff(20, BASE) == timedelta(hours=1)


def test_retry_after_wins_over_the_backoff():
    out = after_failure(
        effect(attempts=3), "ratelimited", now=NOW, base=BASE, retry_after=timedelta(seconds=7)
    )
    assert (out.state, out.due_at, out.tell) == ("pending", NOW + timedelta(seconds=7), False)


def test_a_mendable_error_is_told_once_and_still_retried():
    first = after_failure(effect(attempts=1), "not_in_channel", now=NOW, base=BASE)
    assert (first.state, first.tell) == ("pending", True)
    again = after_failure(
        effect(attempts=2, last_error="not_in_channel"), "not_in_channel", now=NOW, base=BASE
    )
    assert (again.state, again.tell) == ("pending", False)


def test_a_transient_error_is_retried_quietly_unless_someone_waits():
    assert not after_failure(effect(attempts=1), "http_500", now=NOW, base=BASE).tell
    assert after_failure(effect(attempts=1), "http_500", now=NOW, base=BASE, waiting=True).tell


def test_a_gone_person_or_the_last_try_fails_for_good_and_is_told():
    gone = after_failure(effect(attempts=1), "user_not_found", now=NOW, base=BASE)
    last = after_failure(effect(attempts=MAX_ATTEMPTS), "http_500", now=NOW, base=BASE)
    assert (gone.state, gone.tell) == ("failed", True)
    assert (last.state, last.tell) == ("failed", True)


def test_only_a_retry_looks_before_it_acts():
    assert not effect(attempts=1).retried and effect(attempts=2).retried
