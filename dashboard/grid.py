"""The /data grid's questions in SQL terms, without Dash: its columns, the CSV's columns, AG Grid's filter and sort
models turned into the slots and bound values of queries/data_grid.sql (the page, the downloads and the benchmarks
share them)."""

from __future__ import annotations

from dashboard import db
from dashboard.i18n import LABELS, norm_lang
from dashboard.state import narrow_params
from etl.vocabulary import review_flag_fields

# column shown -> (header bg, header en, kind); kind: text | number | label:<kind> | code
COLUMNS = {
    "municipality": ("Община", "Municipality", "text"),
    "year": ("Година", "Year", "year"),
    "item_no": ("№", "No.", "text"),
    "section_text": ("Раздел", "Section", "text"),
    "name": ("Ред от плана", "Plan row", "text"),
    "type_name": ("Вид услуга", "Service type", "text"),
    "target_group_text": ("Целева група", "Target group", "text"),
    "setting_text": ("Среда", "Setting", "text"),
    "settlements": ("Населени места", "Settlements", "text"),
    "funding_raw": ("Финансиране", "Funding", "text"),
    "amount_bgn": ("Сума (лв.)", "Amount (BGN)", "number"),
    "capacity": ("Капацитет", "Capacity", "number"),
    "capacity_before": ("Капацитет преди", "Capacity before", "number"),
    "status_text": ("Статус", "Status", "text"),
    "provider": ("Изпълнител", "Provider", "text"),
    "source_file": ("Файл", "File", "text"),
    "source_line": ("Ред", "Line", "year"),
    "source_ref": ("Място (стр./табл./ред)", "Place (page/table/row)", "text"),
    "source_text": ("Оригинален текст", "Original text", "source"),
    "review": ("За проверка", "To check", "text"),
    "corrected": ("Коригирано", "Corrected", "text"),
}
# what a grid row holds: the columns shown and the row's id (getRowId); data_page.sql and data_grid.sql
# select exactly these
# (municipality_code: the link of the municipality cell to /municipality/<code>)
GRID_FIELDS = [*COLUMNS, "municipality_code", "item_id", "correction_note"]
# the CSV carries the record as stored (codes, as in the open-data export), in this order
CSV_COLUMNS = [
    "plan_id",
    "municipality",
    "oblast",
    "year",
    "item_no",
    "section",
    "name",
    "service_type",
    "target_group",
    "setting",
    "settlements",
    "scope",
    "q1",
    "q2",
    "q3",
    "q4",
    "funding",
    "funding_raw",
    "amount_bgn",
    "capacity",
    "capacity_before",
    "capacity_unit",
    "staff",
    "units",
    "status",
    "provider",
    "source_file",
    "source_line",
    "source_ref",
    "source_text",
    "review",
    "corrected",
]

# the grid column that shows an export field a review flag or a correction names (docs/conventions.md): the page
# marks that cell (flagged, or corrected with the parsed value, reason, author and date in its tooltip)
FIELD_COLUMNS = {"section": "section_text", "service_type": "type_name", "status": "status_text",
                 "funding": "funding_raw", "municipality": "municipality", "year": "year",
                 **{f: f for f in ("item_no", "name", "settlements", "funding_raw", "amount_bgn", "capacity",
                                   "capacity_before", "provider")}}
FLAGGED_FIELDS = review_flag_fields()


TEXT_FILTERS = ["contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank"]
NUMBER_FILTERS = [
    "equals",
    "notEqual",
    "lessThan",
    "lessThanOrEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "inRange",
    "blank",
    "notBlank",
]


# A grid request's size: one filter per column (AG Grid keys the filter model by column), one condition each
# (maxNumConditions = 1; a combined model has two), a filter text as long as a search a person types, and one sort
# entry per column. A larger request is no browser's: refused (400) before any SQL is written for it.
MAX_FILTERS = len(COLUMNS)
MAX_CONDITIONS = 2
MAX_FILTER_TEXT = 200
MAX_SORTS = len(COLUMNS)


class GridRequestTooLarge(ValueError):
    """A grid filter or sort model beyond the limits above; the text says which (the answer's reason)."""


def grid_request_problem(request: dict | None) -> str | None:
    """Why a grid request (filterModel, sortModel) is too large to serve (None: it is not)."""
    if not isinstance(request, dict):
        return None
    model, sorts = request.get("filterModel"), request.get("sortModel")
    if isinstance(model, dict):
        if len(model) > MAX_FILTERS:
            return f"grid: {len(model)} column filters (at most {MAX_FILTERS}, one per column)"
        for spec in model.values():
            if not isinstance(spec, dict):
                continue
            conditions = spec.get("conditions")
            if isinstance(conditions, list) and len(conditions) > MAX_CONDITIONS:
                return f"grid: {len(conditions)} conditions in one filter (at most {MAX_CONDITIONS})"
            entries = [spec, *(c for c in conditions if isinstance(c, dict))] if isinstance(conditions, list) else [spec]
            if any(len(str(e.get(k) or "")) > MAX_FILTER_TEXT for e in entries for k in ("filter", "filterTo")):
                return f"grid: a filter text longer than {MAX_FILTER_TEXT} characters"
    if isinstance(sorts, list) and len(sorts) > MAX_SORTS:
        return f"grid: {len(sorts)} sort entries (at most {MAX_SORTS})"
    return None


def grid_filters(model: dict | None) -> list[dict]:
    """AG Grid's filterModel as a list of filters (col, op, text, num, num_to); unknown columns and filter types are
    dropped."""
    out = []
    for col, spec in (model if isinstance(model, dict) else {}).items():
        if col not in COLUMNS or not isinstance(spec, dict):
            continue
        if "conditions" in spec:  # a combined model: only its first condition (maxNumConditions = 1)
            conditions = spec["conditions"]
            ok = isinstance(conditions, list) and conditions and isinstance(conditions[0], dict)
            spec = conditions[0] if ok else {}
        op = spec.get("type")
        if op not in TEXT_FILTERS and op not in NUMBER_FILTERS:
            continue
        if spec.get("filterType") == "number":

            def num(v):
                try:
                    return float(v)
                except (TypeError, ValueError):
                    return None

            item = {"col": col, "op": op, "text": "", "num": num(spec.get("filter")), "num_to": num(spec.get("filterTo"))}
            if op not in ("blank", "notBlank") and item["num"] is None:
                continue
            if op in ("blank", "notBlank"):
                item["num"] = None
            elif op == "equals" or op == "notEqual":
                item["text"] = str(spec.get("filter"))
        else:
            item = {"col": col, "op": op, "text": str(spec.get("filter") or ""), "num": None, "num_to": None}
        out.append(item)
    return out


def grid_params(request: dict | None, lang: str, limit: int | None, offset: int = 0, csv: bool = False,
                narrow: dict | None = None) -> dict:
    """The parameters of data_page and data_grid for a grid request (filterModel, sortModel, page) in `lang`: the
    language and its labels (one map per kind), the column filters, the sort, the page, and the columns (the grid's;
    `csv`: the CSV's), and what a chart's click narrows the records to (`narrow`: a URL state's NARROW_KEYS, see
    dashboard/state.py narrow_params; none: all). A request beyond the limits (grid_request_problem) raises
    GridRequestTooLarge."""
    request = request if isinstance(request, dict) else {}
    problem = grid_request_problem(request)
    if problem:
        raise GridRequestTooLarge(problem)
    filters = grid_filters(request.get("filterModel"))
    sorts = request.get("sortModel") if isinstance(request.get("sortModel"), list) else []
    sort = next((s for s in sorts if isinstance(s, dict) and s.get("colId") in COLUMNS), None)
    lang = norm_lang(lang)
    labels = {f"{kind}_labels": {"key": list(LABELS[kind][lang]), "value": list(LABELS[kind][lang].values())}
              for kind in ("section", "target_group", "setting", "status")}
    return {
        "lang": lang,
        **labels,
        **grid_query_params(filters, sort["colId"] if sort else "",
                            "desc" if sort and sort.get("sort") == "desc" else "asc",
                            CSV_COLUMNS_SQL if csv else GRID_COLUMNS_SQL),
        **narrow_params(narrow),
        "limit": limit,
        "offset": offset,
    }


TYPE_COLUMNS = {"type_name", "target_group_text", "setting_text"}  # read from service_types
NUMBER_COLUMNS = {field for field, (_, _, kind) in COLUMNS.items() if kind in ("number", "year")}

# each column of the grid as SQL over items `i` and service_types `st` (queries/data_grid.sql): what the grid shows,
# sorts and filters. With CSV_SQL, the only column text a grid query is written with.
GRID_SQL = {
    "municipality": "i.municipality",
    "year": "i.year",
    "item_no": "i.item_no",
    "section_text": "coalesce($section_labels[i.section], i.section)",
    "name": "i.name",
    "type_name": "case when $lang = 'en' then st.name_en else st.name_bg end",
    "target_group_text": "coalesce($target_group_labels[st.target_group], st.target_group)",
    "setting_text": "coalesce($setting_labels[st.setting], st.setting)",
    "settlements": "i.settlements",
    "funding_raw": "i.funding_raw",
    "amount_bgn": "i.amount_bgn",
    "capacity": "i.capacity",
    "capacity_before": "i.capacity_before",
    "status_text": "coalesce($status_labels[i.status], i.status)",
    "provider": "i.provider",
    "source_file": "i.source_file",
    "source_line": "i.source_line",
    "source_ref": "i.source_ref",
    "source_text": "i.source_text",
    "review": "i.review",
    "corrected": "i.corrected",
}
# what was corrected in a record, for the tooltip of its corrected cells: field, parsed → corrected value, reason,
# author, date (queries/data_grid.sql and data_page.sql read it for the page's rows only)
CORRECTION_NOTE_SQL = ("(select string_agg(c.field || ': ' || coalesce(nullif(c.parsed, ''), '—') || ' → ' || "
                       "coalesce(nullif(c.value, ''), '—') || ' (' || coalesce(c.reason, '') || '; ' || "
                       "coalesce(c.author, '') || ', ' || coalesce(c.corrected_at, '') || ')', chr(10) "
                       "order by c.correction_file, c.correction_row) "
                       "from corrections c where c.item_id = i.item_id and c.status = 'applied')")
# a sort by these columns orders by their rank, computed when the database is built (queries/derived.sql): the same
# order, without comparing long texts
SORT_SQL = {**GRID_SQL, "source_text": "i.source_text_rank"}
# the columns of the grid's rows (GRID_FIELDS) and of the CSV (CSV_COLUMNS: the record as stored, with its codes)
GRID_COLUMNS_SQL = db.SqlText(", ".join([*(f"{sql} as {field}" for field, sql in GRID_SQL.items()),
                                         "p.municipality_code", "i.item_id",
                                         f"{CORRECTION_NOTE_SQL} as correction_note"]))
CSV_SQL = {col: {"oblast": "p.oblast", "target_group": "st.target_group", "setting": "st.setting"}.get(col, f"i.{col}")
           for col in CSV_COLUMNS}
CSV_COLUMNS_SQL = db.SqlText(", ".join(f"{sql} as {col}" for col, sql in CSV_SQL.items()))
# the filter types that compare the text: without a text (null) such a filter is neither true nor false
TEXT_TESTS = {"contains", "notContains", "startsWith", "endsWith"}
TYPE_JOIN = "left join service_types st on st.code = i.service_type"


# the test of each filter type, on a column's value as text `v` ('' for none) and as a number `n`, with the filter's
# text and numbers (texts are compared in lower case; blank and the number tests read the value as it is)
FILTER_TESTS = {
    "none": "true",
    "contains": "contains(lower({v}), lower({txt}))",
    "notContains": "not contains(lower({v}), lower({txt}))",
    "startsWith": "starts_with(lower({v}), lower({txt}))",
    "endsWith": "ends_with(lower({v}), lower({txt}))",
    "blank": "{v} = ''",
    "notBlank": "{v} <> ''",
    "equals": "coalesce(case when {num} is null then lower({v}) = lower({txt}) else {n} = {num} end, false)",
    "notEqual": "coalesce(case when {num} is null then lower({v}) <> lower({txt}) else {n} is distinct from {num} end, "
                "true)",
    "lessThan": "coalesce({n} < {num}, false)",
    "lessThanOrEqual": "coalesce({n} <= {num}, false)",
    "greaterThan": "coalesce({n} > {num}, false)",
    "greaterThanOrEqual": "coalesce({n} >= {num}, false)",
    "inRange": "coalesce({n} >= {num} and {n} <= {num_to}, false)",
}


def grid_filter_sql(n: int, f: dict) -> str:
    """The SQL of filter number `n` (its values: $f<n>_text, $f<n>_num, $f<n>_num_to): the test of its filter type
    (FILTER_TESTS) on the column's value as text ('' for none) and, for a number column, as a number. An unknown
    column reads nothing (as null); an unknown filter type holds."""
    op, col = f.get("op"), f.get("col")
    if op not in TEXT_FILTERS and op not in NUMBER_FILTERS:
        return "true"
    value = f"({GRID_SQL[col]})" if col in GRID_SQL else "null"
    number = f"({value}::double)" if col in NUMBER_COLUMNS else "null::double"
    return "(" + FILTER_TESTS[op].format(v=f"coalesce({value}::varchar, '')", n=number, txt=f"$f{n}_text",
                                         num=f"$f{n}_num", num_to=f"$f{n}_num_to") + ")"


def grid_query_params(filters: list[dict], sort_col: str, sort_dir: str = "asc",
                      columns: db.SqlText = GRID_COLUMNS_SQL) -> dict:
    """The slots and values of data_grid.sql for a list of column filters (col, op, text, num, num_to), a sort
    column ('' = plan order) and direction, and the columns given (the grid's or the CSV's): the statement is
    written for exactly this state, from GRID_SQL and the filter types (never from a request's text), and every
    filter's values are parameters."""
    out: dict = {"grid_filters": filters, "sort_col": sort_col, "sort_dir": sort_dir}
    decided = []
    for n, f in enumerate(filters, 1):
        out.update({f"f{n}_text": f.get("text"), f"f{n}_num": f.get("num"), f"f{n}_num_to": f.get("num_to")})
        if not (f.get("op") in TEXT_TESTS and f.get("text") is None):
            decided.append(grid_filter_sql(n, f))
    if not filters:
        condition = "true"
    elif not decided:  # only filters that are neither true nor false: none holds
        condition = "false"
    else:
        condition = " and ".join(f"({sql})" for sql in decided)
    used = [sort_col] + [f.get("col") for f in filters]
    return {
        **out,
        "filters": db.SqlText(condition),
        "sort_key": db.SqlText(SORT_SQL.get(sort_col, "null::varchar")),
        "order": db.SqlText("desc nulls last" if sort_dir == "desc" else "asc nulls last"),
        "type_join": db.SqlText(TYPE_JOIN if any(c in TYPE_COLUMNS for c in used) else ""),
        "columns": columns,
    }
