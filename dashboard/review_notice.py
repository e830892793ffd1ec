"""The line under every page's filter bar that says how many of the records behind its figures a person should
check (a review flag) or has corrected, with links to exactly those records on /data (?check=flagged|corrected).

It is drawn with the page (slot(state), in the Pages router's answer) and redrawn by its callback only when the
filters change: a page view is one request fewer than with a callback fired on every page's load."""

from __future__ import annotations

from dash import Output, callback, dcc, html

from dashboard.db import remembered, run_records
from dashboard.state import FILTER_KEYS, filter_params, filter_values, search_for

TEXT = {
    "bg": {"records": "{records} записа в избора", "flagged": "{n} с флаг за проверка",
           "corrected": "{n} с коригирана стойност", "none": "нито един с флаг за проверка или корекция",
           "rest": "фигурите на страницата стъпват на тях"},
    "en": {"records": "{records} records in the selection", "flagged": "{n} flagged for review",
           "corrected": "{n} with a corrected value", "none": "none flagged for review or corrected",
           "rest": "the figures on this page rest on them"},
}
CHECKS = ("flagged", "corrected")  # /data?check=…: the grid opens filtered to these records


def slot(state: dict | None = None) -> html.Div:
    """The notice for the page's URL state (validated filters and language); empty without one."""
    children = notice(state["lang"], dict(zip(FILTER_KEYS, filter_values(state), strict=True))) if state else []
    return html.Div(children, id="review-notice", className="small text-muted mb-2")


@remembered
def counts(params: dict) -> dict:
    return run_records("review_counts", **params)[0]


def notice(lang: str, values: dict) -> list:
    """The notice's children for the filter values (FILTER_KEYS order, as the filter bar gives them)."""
    lang = "en" if lang == "en" else "bg"
    text = TEXT[lang]
    found = counts(filter_params(**values))
    if not found["records"]:
        return []
    search = search_for(lang, **values)
    parts: list = [text["records"].format(records=f"{found['records']:,}".replace(",", "\u00a0")), ": "]
    links = []
    for check in CHECKS:
        if found[check]:
            link = f"/data{search}{'&' if search else '?'}check={check}"
            links.append(dcc.Link(text[check].format(n=found[check]), href=link, id=f"review-notice-{check}"))
    if not links:
        parts.append(text["none"])
    for i, link in enumerate(links):
        parts += [", "] if i else []
        parts.append(link)
    parts.append(f" ({text['rest']}).")
    return parts


def register(filter_inputs: list, lang_state) -> None:
    """The callback that keeps the notice in step with the filter bar (called once, by dashboard.components); not on
    the page's load: the page is drawn with it (slot(state))."""

    @callback(Output("review-notice", "children"), *filter_inputs, lang_state, prevent_initial_call=True)
    def update(oblast, municipality, year, target_group, service_type, lang):
        return notice(lang, {"oblast": oblast, "municipality": municipality, "year": year,
                             "target_group": target_group, "service_type": service_type})
