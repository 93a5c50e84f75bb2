from bot.replay import ReplayGuard


def test_a_key_is_refused_within_the_window_and_forgotten_after_it():
    now = [1000.0]
    guard = ReplayGuard(window=300, clock=lambda: now[0])
    assert guard.first_time("1", "v0=a")
    assert not guard.first_time("1", "v0=a")
    assert guard.first_time("1", "v0=b")
    now[0] += 301
    assert guard.first_time("1", "v0=a")
