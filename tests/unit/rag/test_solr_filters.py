"""The request's ``solr.filters`` as Solr ``fq`` strings."""

from __future__ import annotations

from typing import Any

import pytest

from lightspeed_core.rag.solr_filters import SolrFilterError, escape_text, filter_queries


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (None, []),
        ({}, []),
        ({"key": "product", "type": "eq", "value": "ocp"}, ['product:"ocp"']),
        ({"key": "product", "type": "ne", "value": "ocp"}, ['(*:* -product:"ocp")']),
        ({"key": "v", "type": "in", "value": ["4.15", "4.16"]}, ['v:("4.15" OR "4.16")']),
        ({"key": "v", "type": "nin", "value": ["4.15"]}, ['(*:* -v:("4.15"))']),
        ({"key": "n", "type": "gt", "value": 3}, ["n:{3 TO *]"]),
        ({"key": "n", "type": "lte", "value": 3.5}, ["n:[* TO 3.5]"]),
        ({"key": "ok", "type": "eq", "value": True}, ["ok:true"]),
        ({"fq": "product:*openshift*"}, ["product:*openshift*"]),
        ({"fq": ["a:1", "  ", "b:2"]}, ["a:1", "b:2"]),
        (
            {
                "filters": {
                    "type": "and",
                    "filters": [
                        {"key": "product", "type": "eq", "value": "ocp"},
                        {
                            "type": "or",
                            "filters": [
                                {"key": "v", "type": "eq", "value": "4.16"},
                                {"key": "v", "type": "eq", "value": "4.15"},
                            ],
                        },
                    ],
                }
            },
            ['(product:"ocp" AND (v:"4.16" OR v:"4.15"))'],
        ),
    ],
)
def test_filters_become_filter_queries(filters: dict[str, Any] | None, expected: list[str]) -> None:
    assert filter_queries(filters) == expected


def test_values_cannot_break_out_of_their_quotes() -> None:
    [fq] = filter_queries({"key": "title", "type": "eq", "value": 'x" OR *:* "'})
    assert fq == 'title:"x\\" OR *:* \\""'


@pytest.mark.parametrize(
    ("filters", "cause"),
    [
        ({"key": "a b", "type": "eq", "value": 1}, "solr filter key must be a field name"),
        ({"key": "a", "type": "like", "value": 1}, "unknown solr filter type 'like'"),
        ({"key": "a", "type": "in", "value": "x"}, "needs a non-empty list value"),
        ({"type": "and", "filters": []}, "needs a non-empty 'filters' list"),
        ({"fq": [1]}, "must be a string or a list of strings"),
        ({"filters": "x"}, "must be an object"),
    ],
)
def test_bad_filters_are_refused(filters: dict[str, Any], cause: str) -> None:
    with pytest.raises(SolrFilterError) as caught:
        filter_queries(filters)
    assert caught.value.status_code == 422
    assert cause in caught.value.cause


def test_keyword_text_is_escaped() -> None:
    assert escape_text('oc get pods -n "x" (a:b)') == 'oc get pods \\-n \\"x\\" \\(a\\:b\\)'
