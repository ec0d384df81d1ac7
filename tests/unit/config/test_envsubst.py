from __future__ import annotations

import os

import pytest

from lightspeed_core.config.envsubst import UnsetVariable, substitute_env, substitute_string

ENV = {"HOST": "example.com", "PORT": "8443", "EMPTY": "", "FLAG": "true", "NAME": "svc"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${env.HOST}", "example.com"),
        ("http://${env.HOST}:${env.PORT}/v1", "http://example.com:8443/v1"),
        ("${env.MISSING:=fallback}", "fallback"),
        ("${env.HOST:=fallback}", "example.com"),
        ("${env.EMPTY:=fallback}", "fallback"),
        ("x${env.MISSING:=}y", "xy"),
        ("${env.HOST:+on}", "on"),
        ("a${env.MISSING:+on}b", "ab"),
        ("a${env.EMPTY:+on}b", "ab"),
        ("http://${env.HOST}:${env.MISSING:=80}", "http://example.com:80"),
        ("${env.lower}", "${env.lower}"),
        ("${allowed}", "${allowed}"),
    ],
)
def test_string_forms(text: str, expected: object) -> None:
    assert substitute_string(text, ENV) == (expected, [])


def test_whole_digit_substitution_becomes_int() -> None:
    assert substitute_string("${env.PORT}", ENV) == (8443, [])
    assert substitute_string("${env.MISSING:=5432}", ENV) == (5432, [])


def test_digits_with_leading_zero_stay_a_string() -> None:
    assert substitute_string("${env.PIN}", {"PIN": "0123"}) == ("0123", [])


def test_digits_inside_a_longer_string_stay_a_string() -> None:
    assert substitute_string("${env.PORT}${env.PORT}", ENV) == ("84438443", [])
    assert substitute_string("port ${env.PORT}", ENV) == ("port 8443", [])


def test_booleans_stay_strings() -> None:
    assert substitute_string("${env.FLAG}", ENV) == ("true", [])


def test_empty_result_becomes_none() -> None:
    assert substitute_string("${env.MISSING:=}", ENV) == (None, [])
    assert substitute_string("${env.MISSING:+value}", ENV) == (None, [])


def test_unset_and_empty_variables_are_reported() -> None:
    value, unset = substitute_string("${env.A}-${env.EMPTY}-${env.HOST}", ENV)
    assert unset == ["A", "EMPTY"]
    assert value == "--example.com"


def test_home_is_expanded_in_substituted_values() -> None:
    value, _ = substitute_string("${env.MISSING:=~/data}/x.db", ENV)
    assert value == os.path.expanduser("~/data") + "/x.db"


def test_tree_substitution_leaves_keys_and_non_strings_alone() -> None:
    tree = {"${env.HOST}": "${env.HOST}", "n": 1, "b": True, "l": ["${env.PORT}", None]}
    result, unset = substitute_env(tree, ENV)
    assert result == {"${env.HOST}": "example.com", "n": 1, "b": True, "l": [8443, None]}
    assert unset == []


def test_tree_collects_every_unset_variable_with_its_path() -> None:
    tree = {"a": {"b": "${env.X}"}, "c": [{"d": "${env.Y} ${env.Z}"}], "weird key": "${env.W}"}
    _, unset = substitute_env(tree, {})
    assert unset == [
        UnsetVariable("a.b", "X"),
        UnsetVariable("c[0].d", "Y"),
        UnsetVariable("c[0].d", "Z"),
        UnsetVariable('["weird key"]', "W"),
    ]


def test_keep_raw_subtree_is_not_substituted() -> None:
    tree = {
        "llama_stack": {"config": {"native_override": {"k": "${env.SECRET}"}}, "u": "${env.HOST}"}
    }
    result, unset = substitute_env(
        tree, ENV, keep_raw=[("llama_stack", "config", "native_override")]
    )
    assert result == {
        "llama_stack": {"config": {"native_override": {"k": "${env.SECRET}"}}, "u": "example.com"}
    }
    assert unset == []


def test_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCORE_TEST_VALUE", "from-os")
    assert substitute_env({"v": "${env.LCORE_TEST_VALUE}"}) == ({"v": "from-os"}, [])
