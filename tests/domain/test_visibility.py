"""Where an incident may be spoken of: a private one only in its own channel and to its people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.model import Incident
from bot.domain.policy import Policy
from bot.domain.visibility import (
    escalation_channel,
    home,
    listed,
    publication_channel,
    readers_channels,
    share_skipped,
)

NOW = datetime(2021, 12, 28, 10, 0, tzinfo=UTC)


def incident(*, private: bool, channel: str | None = "CINC") -> Incident:
    return Incident(
        id=1,
        number=7,
        title="t",
        severity=None,
        status="closed",
        declared_by="UDECL",
        declared_in="CGENERAL",
        started_at=NOW,
        declared_at=NOW,
        channel_id=channel,
        private=private,
    )


def policy(**review) -> Policy:
    return Policy.from_mapping({"review": review})


@pytest.mark.parametrize(
    ("review", "public", "private", "skipped"),
    [
        ({}, "CINC", "CINC", False),
        ({"publish_channel": "CPUBLIC"}, "CPUBLIC", "CINC", True),
        ({"private_publish_channel": "CSECRET"}, "CINC", "CSECRET", False),
        (
            {"publish_channel": "CPUBLIC", "private_publish_channel": "CSECRET"},
            "CPUBLIC",
            "CSECRET",
            False,
        ),
    ],
)
def test_publication_goes_where_the_policy_allows(review, public, private, skipped):
    rules = policy(**review)
    assert publication_channel(incident(private=False), rules) == public
    assert publication_channel(incident(private=True), rules) == private
    assert share_skipped(incident(private=True), rules) is skipped
    assert share_skipped(incident(private=False), rules) is False


def test_without_a_channel_yet_a_private_incident_is_said_to_its_declarer_only():
    assert home(incident(private=False, channel=None)) == "CGENERAL"
    assert home(incident(private=True, channel=None)) == "UDECL"
    assert home(incident(private=True)) == "CINC"
    assert publication_channel(incident(private=True, channel=None), policy()) == "UDECL"


def test_the_teams_lists_and_channels_never_name_a_private_incident():
    rules = policy(escalation_channel="CESCAL", private_publish_channel="CSECRET")
    assert listed(incident(private=False)) and not listed(incident(private=True))
    assert escalation_channel(incident(private=False), rules) == "CESCAL"
    assert escalation_channel(incident(private=True), rules) is None
    assert readers_channels(incident(private=True), rules) == ("CINC", "CSECRET")
    assert readers_channels(incident(private=True), policy()) == ("CINC",)
