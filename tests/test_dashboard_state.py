"""dashboard.state and dashboard.i18n: the URL holds the whole view; Bulgarian number format."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from dashboard.i18n import fmt_number, fmt_percent, label, t
from dashboard.state import filter_params, query_string, search_for, state_from_query


def parse(search: str) -> dict:
    """The query string as Dash pages hands it to layout(**query)."""
    parsed = parse_qs(urlsplit(search).query, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def test_view_round_trips_through_the_query_string():
    state = {
        "oblast": ["Кюстендил"],
        "municipality": ["Дупница", "Кресна"],
        "year": [2020, 2021],
        "target_group": [],
        "service_type": ["COP"],
        "lang": "en",
        "dim": "setting",
        "measure": None,
        "plan": None,
        "combine": "sum",
        "metric": None,
        "check": "flagged",
        "types": "ssa",
        # /data only: what a chart's click narrowed the records to
        "setting": ["home"],
        "funding_mix": ["municipal", "mixed"],
        "ssa_kind": [],
        "only": ["services"],
        "event": ["disappeared"],
        "event_year": ["2021"],
        "settlement": ["14492", "whole"],
    }
    search = query_string(state)
    assert search.startswith("?oblast=")
    assert state_from_query(parse(search)) == state


def test_default_view_has_an_empty_query_string():
    assert query_string(state_from_query({})) == ""
    assert state_from_query({})["lang"] == "bg"


def test_repeated_keys_and_commas_both_read():
    assert state_from_query({"municipality": ["Дупница", "Кресна,Ихтиман"]})["municipality"] == [
        "Дупница",
        "Кресна",
        "Ихтиман",
    ]
    assert state_from_query({"year": "2021,abc"})["year"] == [2021]


def test_filter_params_are_lists_for_binding():
    assert filter_params(None, "Дупница", ["2021"], None, []) == {
        "oblasts": [],
        "municipalities": ["Дупница"],
        "years": [2021],
        "target_groups": [],
        "service_types": [],
    }


def test_search_for_keeps_filters_and_language():
    assert (
        search_for("en", None, ["Дупница"])
        == "?municipality=%D0%94%D1%83%D0%BF%D0%BD%D0%B8%D1%86%D0%B0&lang=en"
    )


def test_bulgarian_number_format():
    assert fmt_number(1234567) == "1 234 567"
    assert fmt_number(1234.5, decimals=1) == "1 234,5"
    assert fmt_number(1234.5, "en", 1) == "1,234.5"
    assert fmt_number(None) == "" and fmt_number(float("nan")) == ""
    assert fmt_percent(0.4567) == "45,7 %"
    assert fmt_percent(0.4567, "en") == "45.7%"


def test_texts_exist_in_both_languages():
    from dashboard.i18n import TEXT

    assert TEXT["bg"].keys() == TEXT["en"].keys()
    assert t("db_missing") == "Базата данни не е намерена — изпълнете python -m etl build"
    assert label("funding", "state_delegated", "en") == "State-delegated"
    assert label("status", None) == ""
