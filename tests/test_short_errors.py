"""An error's message and hint are shortened once, in ``dxcli.errors`` (``shorten``): a quoted
value over 80 characters is named by its first 77 and its length, and a whole message over
400 characters is cut with its length. The CLI, the API's raised errors and the MCP server all
give the same short text."""

from __future__ import annotations

import pytest

from conftest import run
from dxcli import api
from dxcli.errors import InvalidInput, shorten


def test_the_api_raises_a_short_message_for_a_huge_value():
    with pytest.raises(InvalidInput) as got:
        api.posttest(0.3, ["x" * 100_000])
    m = got.value.message
    # "finding '" (9) + 77 x + "…'" (2) + " (100,000 characters)" (21) + " has no result" (14) = 123
    assert m == "finding '" + "x" * 77 + "…' (100,000 characters) has no result"
    assert len(m) == 123 and str(got.value) == m


def test_the_cli_and_the_api_say_the_same_message():
    huge = "x" * 5_000
    with pytest.raises(InvalidInput) as got:
        api.posttest(0.3, [huge])
    r = run("posttest", "-p", "0.3", huge)
    assert r.code == 2
    assert f"dxcli: error: {got.value.message}" in r.err.splitlines()
    assert "(5,000 characters)" in r.err


def test_a_long_unquoted_message_is_cut_at_400_with_its_length():
    # 1,000 characters: the first 400 - 19 = 381 kept, then "… (1000 characters)" (19)
    s = shorten("a" * 1000)
    assert s == "a" * 381 + "… (1000 characters)" and len(s) == 400
    assert shorten(s) == s  # cutting again changes nothing
    e = InvalidInput("a" * 1000, hint="b" * 1000)
    assert len(e.message) == 400 and len(e.hint) == 400


def test_short_text_is_left_alone():
    text = "finding 'faber' is given twice"
    assert shorten(text) == text and shorten("'" + "q" * 80 + "'") == "'" + "q" * 80 + "'"


def test_the_mcp_error_text_uses_the_same_cut():
    from dxcli.mcp_server import error_text

    with pytest.raises(InvalidInput) as got:
        api.posttest(0.3, ["x" * 100_000])
    text = error_text(got.value)
    assert text.splitlines()[0] == f"dxcli: error: {got.value.message}"
    assert len(text) < 300
