"""Presentation stage: UI texts in Bulgarian (default) and English, code labels, number format."""

from __future__ import annotations

import math

LANGS = ("bg", "en")

TEXT = {
    "bg": {
        "app_title": "Социални услуги в общините — годишни планове",
        "page_overview": "Преглед",
        "page_capacity": "Капацитет",
        "page_funding": "Финансиране",
        "page_coverage": "Обхват",
        "page_changes": "Нови и закрити",
        "page_data": "Данни",
        "other_lang": "English",
        "filter_oblast": "Област",
        "filter_municipality": "Община",
        "filter_year": "Година",
        "filter_target_group": "Целева група",
        "filter_service_type": "Вид услуга",
        "all": "Всички",
        "db_missing": "Базата данни не е намерена — изпълнете python -m etl build",
        "db_missing_path": "Очаквано място на файла: {path}",
        "db_outdated": "Базата данни е изградена с друга версия на програмата и някои изгледи може да не "
                       "работят — изградете я отново: python -m etl build",
        "empty": "Няма данни за избраните филтри",
        "download": "Изтегли данните (CSV)",
        "download_rows": "Изтегли филтрираните редове (CSV)",
        "source_note": "Източник: годишни планове за развитие на социалните услуги на общините",
        "rows_shown": "Показани редове: {n}",
        "series_year": "{year} ({n} общини)",
        "series_year_one": "{year} ({n} община)",
        "synthetic": "Синтетични данни — не са реални планове",
        "url_ignored": "Пренебрегнати параметри от адреса (няма такива стойности в базата): {items}",
        "table_truncated": "Показани са първите {shown} от {total} реда — стеснете филтрите, за да видите останалите.",
        "sort_hint": "Подреди по тази колона (отново: в обратен ред)",
        # overview
        "kpi_services": "Социални услуги",
        "kpi_capacity": "Общ капацитет (места/потребители)",
        "kpi_delegated": "Услуги с ДДД, изцяло или частично",
        "kpi_project": "Услуги с проектно финансиране, изцяло или частично",
        "kpi_municipal": "Услуги с общинско финансиране, изцяло или частично",
        "headline_basis": "По последния план на всяка община в избора, {years}: {municipalities} общини, {plans} плана "
                          "(от {selected} избрани); плановете на различни години не се събират.",
        "headline_shares": "Дяловете са от броя на услугите; една услуга може да има няколко източника, затова "
                           "сборът им може да надхвърля 100 %.",
        "headline_none": "Няма планове в избора.",
        "kpi_new": "Нови услуги",
        "kpi_closing": "Закривани услуги",
        "completeness_title": "Заредени планове: община × година (брой редове в плана)",
        "completeness_count": "Заредени планове: {plans}; общини с план: {loaded} от {total}",
        "completeness_count_noref": "Заредени планове: {plans}; общини с план: {loaded} (без ЕКАТТЕ)",
        "axis_year": "Година",
        "axis_municipality": "Община",
        "axis_items": "Редове в плана",
        "built_at": "Базата е създадена: {value}",
        # capacity
        "dimension": "Разбивка по",
        "dim_service_type": "вид услуга",
        "dim_target_group": "целева група",
        "dim_setting": "среда",
        "capacity_title": "Капацитет по {dim}",
        "axis_capacity": "Капацитет (места/потребители)",
        "stated_changes_title": "Промени в капацитета, заявени в плановете",
        "observed_changes_title": "Промени между два последователни плана на общината",
        "di_title": "Деинституционализация: капацитет в институции и алтернативи",
        "col_municipality": "Община",
        "col_year": "Година",
        "col_previous_year": "Предишен план",
        "col_name": "Услуга",
        "col_service_type": "Вид услуга",
        "col_before": "Преди",
        "col_after": "След",
        "col_change": "Промяна",
        "col_services": "Брой услуги",
        "col_capacity": "Капацитет",
        "col_funding": "Финансиране",
        "col_amount": "Сума (лв.)",
        "col_status": "Статус",
        "col_source": "Източник",
        "col_settlement": "Населено място",
        "col_event": "Събитие",
        "col_origin": "Според",
        "col_kind": "Вид",
        # funding
        "measure": "Мярка",
        "measure_services": "брой услуги",
        "measure_capacity": "капацитет",
        "funding_mix_title": "Източници на финансиране на услугите ({measure})",
        "axis_share": "Дял (%)",
        "amounts_title": "Суми, посочени в плановете (лв.)",
        "axis_amount": "Сума (лв.)",
        "project_only_title": "Услуги, зависещи само от проектно финансиране",
        # coverage
        "plan": "План",
        "coverage_title": "Населени места × вид услуга ({plan})",
        "coverage_whole": "Цялата община",
        "unserved_title": "Населени места без услуга, посочена за тях",
        "unserved_note": "Услугите за цялата община (ред „Цялата община“) достигат и до тях.",
        "unserved_noref": "Няма данни от ЕКАТТЕ — не може да се определят населените места без услуга.",
        "map_title": "Брой социални услуги по общини",
        "map_missing": "Картата не е налична: липсва файлът с граници на общините ({path}).",
        "axis_settlement": "Населено място",
        "axis_service_type": "Вид услуга",
        # changes
        "timeline_title": "Нови, разширени, намалени и закрити услуги по години",
        "axis_events": "Брой услуги",
        "origin_stated": "план",
        "origin_observed": "сравнение на планове",
        # data
        "data_intro": "Всеки ред от всеки план: файл, ред и оригинален текст. "
        "Филтрирайте в заглавията на колоните.",
    },
    "en": {
        "app_title": "Municipal social services — annual plans",
        "page_overview": "Overview",
        "page_capacity": "Capacity",
        "page_funding": "Funding",
        "page_coverage": "Coverage",
        "page_changes": "New and closed",
        "page_data": "Data",
        "other_lang": "Български",
        "filter_oblast": "Oblast",
        "filter_municipality": "Municipality",
        "filter_year": "Year",
        "filter_target_group": "Target group",
        "filter_service_type": "Service type",
        "all": "All",
        "db_missing": "Database not found — run python -m etl build",
        "db_missing_path": "Expected file: {path}",
        "db_outdated": "The database was built by another version of this program and some views may fail "
                       "— rebuild it: python -m etl build",
        "empty": "No data for the selected filters",
        "download": "Download data (CSV)",
        "download_rows": "Download the filtered rows (CSV)",
        "source_note": "Source: municipal annual plans for the development of social services",
        "rows_shown": "Rows shown: {n}",
        "series_year": "{year} ({n} municipalities)",
        "series_year_one": "{year} ({n} municipality)",
        "synthetic": "Synthetic data — not real plans",
        "url_ignored": "Ignored in the address (no such values in the database): {items}",
        "table_truncated": "Showing the first {shown} of {total} rows — narrow the filters to see the rest.",
        "sort_hint": "Sort by this column (again: reverse)",
        "kpi_services": "Social services",
        "kpi_capacity": "Total capacity (places/users)",
        "kpi_delegated": "Services with state-delegated funding, wholly or in part",
        "kpi_project": "Services with project funding, wholly or in part",
        "kpi_municipal": "Services with municipal funding, wholly or in part",
        "headline_basis": "From each municipality's latest plan in the selection, {years}: {municipalities} "
                          "municipalities, {plans} plans (of {selected} selected); plans of different years are never "
                          "added up.",
        "headline_shares": "Shares are of the number of services; a service may have several sources, so they can add "
                           "up to more than 100 %.",
        "headline_none": "No plans in the selection.",
        "kpi_new": "New services",
        "kpi_closing": "Closing services",
        "completeness_title": "Plans loaded: municipality × year (rows in the plan)",
        "completeness_count": "Plans loaded: {plans}; municipalities with a plan: {loaded} of {total}",
        "completeness_count_noref": "Plans loaded: {plans}; municipalities with a plan: {loaded} (no EKATTE)",
        "axis_year": "Year",
        "axis_municipality": "Municipality",
        "axis_items": "Rows in the plan",
        "built_at": "Database built: {value}",
        "dimension": "Break down by",
        "dim_service_type": "service type",
        "dim_target_group": "target group",
        "dim_setting": "setting",
        "capacity_title": "Capacity by {dim}",
        "axis_capacity": "Capacity (places/users)",
        "stated_changes_title": "Capacity changes stated in the plans",
        "observed_changes_title": "Changes between consecutive plans of a municipality",
        "di_title": "Deinstitutionalisation: institution capacity and alternatives",
        "col_municipality": "Municipality",
        "col_year": "Year",
        "col_previous_year": "Previous plan",
        "col_name": "Service",
        "col_service_type": "Service type",
        "col_before": "Before",
        "col_after": "After",
        "col_change": "Change",
        "col_services": "Services",
        "col_capacity": "Capacity",
        "col_funding": "Funding",
        "col_amount": "Amount (BGN)",
        "col_status": "Status",
        "col_source": "Source",
        "col_settlement": "Settlement",
        "col_event": "Event",
        "col_origin": "According to",
        "col_kind": "Kind",
        "measure": "Measure",
        "measure_services": "number of services",
        "measure_capacity": "capacity",
        "funding_mix_title": "Funding sources of services ({measure})",
        "axis_share": "Share (%)",
        "amounts_title": "Amounts stated in the plans (BGN)",
        "axis_amount": "Amount (BGN)",
        "project_only_title": "Services that depend on project money alone",
        "plan": "Plan",
        "coverage_title": "Settlements × service type ({plan})",
        "coverage_whole": "Whole municipality",
        "unserved_title": "Settlements with no service listed for them",
        "unserved_note": "Municipality-wide services (row “Whole municipality”) reach them too.",
        "unserved_noref": "No EKATTE data — settlements without a service cannot be determined.",
        "map_title": "Social services by municipality",
        "map_missing": "Map not available: the municipal boundaries file is missing ({path}).",
        "axis_settlement": "Settlement",
        "axis_service_type": "Service type",
        "timeline_title": "New, expanded, reduced and closed services by year",
        "axis_events": "Services",
        "origin_stated": "plan",
        "origin_observed": "plans compared",
        "data_intro": "Every row of every plan: file, line and original text. Filter in the column headers.",
    },
}

FUNDING = {
    "bg": {
        "state_delegated": "ДДД (делегирана от държавата)",
        "state_other": "Държавен бюджет (друго)",
        "national_programme": "Национална програма",
        "municipal": "Общински бюджет",
        "project": "Проекти",
        "other": "Други",
        "mixed": "Смесено",
        "unknown": "Не е посочено",
    },
    "en": {
        "state_delegated": "State-delegated",
        "state_other": "Other state budget",
        "national_programme": "National programme",
        "municipal": "Municipal budget",
        "project": "Projects",
        "other": "Other",
        "mixed": "Mixed",
        "unknown": "Not stated",
    },
}

STATUS = {
    "bg": {
        "continuing": "продължава",
        "new": "нова",
        "expanded": "разширена",
        "reduced": "намалена",
        "closing": "закрива се",
        "planned": "планирана",
        "transformed": "трансформирана",
        "appeared": "появява се в плана",
        "disappeared": "липсва в следващия план",
    },
    "en": {
        "continuing": "continuing",
        "new": "new",
        "expanded": "expanded",
        "reduced": "reduced",
        "closing": "closing",
        "planned": "planned",
        "transformed": "transformed",
        "appeared": "appears in the plan",
        "disappeared": "missing from the next plan",
    },
}

TARGET_GROUP = {
    "bg": {
        "children_families": "Деца и семейства",
        "disabilities": "Хора с увреждания",
        "elderly": "Възрастни хора",
        "adults_at_risk": "Пълнолетни в риск",
        "mixed": "Смесена",
    },
    "en": {
        "children_families": "Children and families",
        "disabilities": "People with disabilities",
        "elderly": "Older people",
        "adults_at_risk": "Adults at risk",
        "mixed": "Mixed",
    },
}

SETTING = {
    "bg": {
        "community": "В общността",
        "residential": "Резидентна",
        "family": "Семейна (приемна грижа)",
        "home": "В домашна среда",
        "institution": "Институция",
    },
    "en": {
        "community": "Community",
        "residential": "Residential",
        "family": "Family (foster care)",
        "home": "Home-based",
        "institution": "Institution",
    },
}

SECTION = {
    "bg": {
        "social_service": "Социални услуги",
        "horizontal_measure": "Хоризонтални мерки",
        "partnership": "Партньорства",
        "human_resources": "Човешки ресурси",
        "other": "Други",
    },
    "en": {
        "social_service": "Social services",
        "horizontal_measure": "Horizontal measures",
        "partnership": "Partnerships",
        "human_resources": "Human resources",
        "other": "Other",
    },
}

LABELS = {
    "funding": FUNDING,
    "status": STATUS,
    "target_group": TARGET_GROUP,
    "setting": SETTING,
    "section": SECTION,
}


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else "bg"


def t(key: str, lang: str | None = "bg", **fmt) -> str:
    """The UI text `key` in `lang` (Bulgarian when the language is unknown)."""
    text = TEXT[norm_lang(lang)][key]
    return text.format(**fmt) if fmt else text


def label(kind: str, code: str | None, lang: str | None = "bg") -> str:
    """A human label for a code of `kind` (funding, status, target_group, setting, section)."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    return LABELS[kind][norm_lang(lang)].get(code, code)


def fmt_number(value, lang: str | None = "bg", decimals: int = 0) -> str:
    """1234567.5 -> '1 234 568' (bg: space thousands, comma decimals; en: comma thousands)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if norm_lang(lang) == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def fmt_percent(share, lang: str | None = "bg") -> str:
    """0.4567 -> '45,7 %' (bg) / '45.7%' (en)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    if norm_lang(lang) == "en":
        return f"{share * 100:.1f}%"
    return fmt_number(share * 100, lang, 1) + " %"


def plotly_separators(lang: str | None) -> str:
    """Plotly's `separators` (decimal, thousands) for the language."""
    return ", " if norm_lang(lang) == "bg" else ".,"
