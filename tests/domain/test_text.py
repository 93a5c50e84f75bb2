"""The rule for storable text: NUL and lone surrogates are named, found anywhere in a request
body (keys too), and replaced when nobody can be asked to fix them."""

from __future__ import annotations

import pytest

from bot.domain.text import REPLACEMENT, BadText, check, problem, scrub, scrub_all


@pytest.mark.parametrize("text", ["", "plain", "日本語 :tada:", "emoji \U0001f600", "tab\tline\n"])
def test_ordinary_text_has_no_problem(text):
    assert problem(text) is None
    assert scrub(text) == text


def test_a_nul_is_named():
    assert "(NUL)" in str(problem("a\x00b"))


@pytest.mark.parametrize(
    ("char", "code"), [("\ud800", "D800"), ("\udbff", "DBFF"), ("\udfff", "DFFF")]
)
def test_a_lone_surrogate_is_named_with_its_code(char, code):
    said = str(problem(f"x{char}y"))
    assert "surrogate" in said and f"U+{code}" in said


def test_check_says_where_the_first_bad_text_is():
    body = {
        "type": "view_submission",
        "view": {
            "state": {"values": {"ok": {"a": {"value": "fine"}}, "bad": {"b": {"value": "x\x00"}}}}
        },
    }
    with pytest.raises(BadText) as refused:
        check(body)
    assert refused.value.path == ("view", "state", "values", "bad", "b", "value")


def test_check_looks_at_keys_and_lists_and_skips_only_top_level_entries():
    with pytest.raises(BadText):
        check({"actions": [{"value": "ok"}, {"value": "\ud800"}]})
    with pytest.raises(BadText):
        check({"a": {"k\x00": 1}})
    check({"message": {"text": "\x00"}}, skip=frozenset({"message"}))
    with pytest.raises(BadText):
        check({"view": {"message": "\x00"}}, skip=frozenset({"message"}))


def test_scrub_all_replaces_in_place_so_holders_see_clean_text():
    event = {"text": "a\x00b", "blocks": [{"text": "\ud800"}]}
    body = {"event": event, "n": 3, "none": None}
    assert scrub_all(body) is body
    assert event == {"text": f"a{REPLACEMENT}b", "blocks": [{"text": REPLACEMENT}]}
    assert body["n"] == 3 and body["none"] is None
    check(body)
