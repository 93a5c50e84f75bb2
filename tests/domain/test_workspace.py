"""Which requests come from the installed workspace, in every shape Slack sends."""

from __future__ import annotations

import pytest

from bot.domain.workspace import Installation, is_home, named

HOME = Installation(team_id="T1")
GRID_HOME = Installation(team_id="T1", enterprise_id="E1")
ORG = Installation(team_id=None, enterprise_id="E1", org_wide=True)


def command(team="T1", enterprise=None):
    body = {"command": "/incident", "team_id": team, "user_id": "U1", "channel_id": "C1"}
    return body | ({"enterprise_id": enterprise} if enterprise else {})


def interactive(team="T1", user_team="T1", enterprise=None):
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "x"},
        "user": {"id": "U1", "team_id": user_team},
        "enterprise": {"id": enterprise, "name": "Org"} if enterprise else None,
    }


def event(team="T1", enterprise=None, authorized=None):
    return {
        "type": "event_callback",
        "team_id": team,
        "enterprise_id": enterprise,
        "authorizations": [{"team_id": authorized or team, "enterprise_id": enterprise}],
    }


def test_every_shape_names_its_teams_and_enterprises():
    assert named(command("T1", "E1")) == ({"T1"}, {"E1"})
    assert named(interactive("T1", "T2", "E1")) == ({"T1", "T2"}, {"E1"})
    assert named(event("T1", None, "T3")) == ({"T1", "T3"}, set())
    assert named({"team": None, "user": "U1", "authorizations": "x"}) == (set(), set())


@pytest.mark.parametrize(
    ("body", "home"),
    [
        (command(), True),
        (command("T2"), False),
        (command(""), False),
        (interactive(), True),
        (interactive(team="T2", user_team="T2"), False),
        (interactive(user_team="T2"), False),
        (event(), True),
        (event("T2"), False),
        (event(authorized="T2"), False),
        ({"type": "block_actions"}, False),
    ],
)
def test_a_workspace_install_serves_its_team_only(body, home):
    assert is_home(body, HOME) is home


def test_on_grid_a_known_enterprise_must_match_too():
    assert is_home(command("T1", "E1"), GRID_HOME)
    assert is_home(command("T1"), GRID_HOME)
    assert not is_home(command("T1", "E2"), GRID_HOME)


def test_an_org_wide_install_serves_every_team_of_its_enterprise():
    assert is_home(command("T7", "E1"), ORG)
    assert is_home(interactive("T7", "T8", "E1"), ORG)
    assert not is_home(command("T7", "E2"), ORG)
    assert not is_home(command("T1"), ORG)


def test_installations_from_auth_test_and_the_setting():
    assert Installation.from_auth_test({"team_id": "T1"}) == HOME
    assert Installation.from_auth_test({"team_id": "T1", "enterprise_id": "E1"}) == GRID_HOME
    org = {"team_id": "E1", "enterprise_id": "E1", "is_enterprise_install": True}
    assert Installation.from_auth_test(org) == ORG
    assert Installation.from_setting("T1") == HOME
    assert Installation.from_setting("E1") == ORG
