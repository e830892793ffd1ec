"""Presentation stage: UI texts in Bulgarian (default) and English, code labels, number format."""

from __future__ import annotations

import math

from etl.transliteration import latin  # noqa: F401  (names in the English UI; re-exported)

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
        "db_missing_detail": "Файлът на базата липсва, повреден е или не може да бъде прочетен.",
        "db_unavailable": "Базата данни не е достъпна в момента. Опитайте отново след малко.",
        "query_timeout": "Заявката отне твърде дълго и беше прекъсната. Стеснете филтрите или опитайте отново.",
        "server_busy": "Сървърът е зает с други тежки заявки. Опитайте отново след няколко секунди.",
        "unavailable": "Услугата не е достъпна в момента. Опитайте отново след малко.",
        "db_rebuild": "Базата данни е изградена с друга версия на програмата и този изглед не може да се покаже, "
                      "докато не бъде изградена отново (python -m etl build).",
        "db_outdated": "Базата данни е изградена с друга версия на програмата и някои изгледи може да не "
                       "работят — изградете я отново: python -m etl build",
        "empty": "Няма данни за избраните филтри",
        "download": "Изтегли данните (CSV)",
        "download_table": "Изтегли цялата таблица (CSV)",
        "download_rows": "Изтегли филтрираните редове (CSV)",
        "source_note": "Източник: годишни планове за развитие на социалните услуги на общините",
        "rows_shown": "Показани редове: {n}",
        "series_year": "{year} ({n} общини)",
        "series_year_one": "{year} ({n} община)",
        "synthetic": "Синтетични данни — не са реални планове",
        "url_ignored": "Пренебрегнати параметри от адреса (няма такива стойности в базата): {items}",
        "table_truncated": "Показани са първите {shown} от {total} реда — стеснете филтрите, за да видите "
                           "останалите.",
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
        "dim_ssa_kind": "вид по Закона за социалните услуги",
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
        "col_places": "От тях места",
        "col_items": "Редове в плана",
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
        "map_metric": "Показател",
        "map_population_missing": "Данните за населението не са налични ({path}): картата не може да покаже места "
                                  "на 1 000 жители.",
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
        "filter_setting": "Среда",
        "filter_funding_mix": "Финансиране",
        "filter_ssa_kind": "Вид по Закона за социалните услуги",
        "filter_only": "Само",
        "narrowed": "Показани са само записите зад щракнатата стойност от графиката: {items}.",
        "narrow_services": "само социални услуги (записи с разпознат вид услуга)",
        "narrow_amounts": "само записи, които посочват сума в лева",
        "filter_event": "Промяна",
        "filter_event_year": "Година на промяната",
        "filter_settlement": "Населено място",
        "narrow_event_note": "промяна, заявена в план, е нейният запис; вид услуга, който се появява, са записите от "
                             "този вид в плана; вид услуга, който липсва в следващия план, са записите от този вид в "
                             "предходния план (годината на промяната е тази на следващия план)",
        "narrow_clear": "Покажи всички записи от избора",
        "source_detail_title": "Оригинален текст на избрания ред",
        "source_detail_hint": "Изберете ред в таблицата, за да видите целия му оригинален текст.",
        "source_detail_place": "Файл {file}, ред {line}; място: {ref}",
        "chart_click_hint": "Щракнете върху стълбче, за да видите записите зад числото.",
        "click_hint_records": "Щракнете върху стълбче, точка или клетка, за да видите записите зад числото.",
        "click_hint_municipality": "Щракнете върху община, за да отворите нейната страница.",
        "types": "Групиране",
        "types_old": "видове услуги",
        "types_ssa": "видове по Закона за социалните услуги",
        "types_note_before": "Всички планове в избора са отпреди Закона за социалните услуги (в сила от 1.07.2020): "
                             "видовете по закона са приложени към услугите им чрез съпоставка на видовете услуги, а "
                             "не са посочени в плановете.",
        "types_note_after": "Всички планове в избора са по Закона за социалните услуги (от плана за 2021 г.): "
                            "„видове услуги“ са наименованията, с които плановете назовават услугите; видовете по "
                            "закона са тяхната съпоставка с чл. 15 от закона.",
        "ssa_break": "Закон за социалните услуги, 1.07.2020",
        # comparisons
        "combine": "Няколко общини",
        "combine_compare": "сравни (по една серия на община)",
        "combine_sum": "събери",
        "note_latest": "По последния план на всяка община в избора; за друга година изберете я във филтъра „Година“.",
        "note_sum": "Сбор на общините за всяка година (брой общини в скоби).",
        "note_too_many": "Повече от {n} общини — показан е сборът за всяка година; изберете до {n} общини, за да ги "
                         "сравните.",
        "series_sum": "{name} (сбор)",
        # embeds, accessibility, errors
        "embed": "Вграждане",
        "menu": "Меню",
        "embed_help": "Копирайте този код в страницата си; графиката показва същия избор като тази страница.",
        "embed_back": "Отвори в „Социални услуги в общините“",
        "embed_unknown": "Няма такава графика: {name}",
        "chart_data": "Данните на графиката",
        "not_found_title": "Страницата не е намерена",
        "not_found_text": "На този адрес няма страница. Проверете адреса или започнете от началната страница.",
        "not_found_home": "Към началната страница",
        "placeholder_choose": "Изберете…",
        "no_plan_places": "Услугите в този план не посочват населено място — не може да се каже кои места остават без "
                          "услуга.",
        # the municipality page's charts and the map's metrics (dashboard/municipality_figures.py)
        "capacity_over_time": "Капацитет на услугите по {dim} и година",
        "services_over_time": "Брой услуги по {dim} и година",
        "by_setting": "вид среда",
        "by_target_group": "целева група",
        "funding_over_time": "Услуги по източник на финансиране и година",
        "axis_plan_year": "Година на плана",
        "axis_capacity_units": "Капацитет (места, потребители, семейства)",
        "axis_services": "Брой услуги",
        "per_capita_chart": "Места в социални услуги на 1 000 жители (население към {date})",
        "per_capita_axis": "Места на 1 000 жители",
        "area_municipality": "Общината ({year})",
        "area_oblast": "Областта ({n} общини)",
        "area_country": "Страната ({n} общини)",
        "area_oblast_one": "Областта (1 община)",
        "area_country_one": "Страната (1 община)",
        "metric_services": "Брой социални услуги",
        "metric_capacity": "Капацитет (места, потребители, семейства)",
        "metric_per_1000": "Места на 1 000 жители (население към {date})",
        "metric_project_only": "Дял на услугите само с проектно финансиране",
        "metric_change": "Промяна на капацитета спрямо предходния план",
        "metric_map_title": "{metric} — по последния план на всяка община в избора, {years}",
        "map_hover_year": "план {year}",
        "map_no_value": "няма данни",
        # the municipality page (dashboard/pages/municipality.py)
        "muni_title": "Община {name}",
        "muni_oblast": "област {oblast}",
        "muni_not_found_title": "404 — няма такава община",
        "muni_not_found": "Кодът „{code}“ не е код по ЕКАТТЕ на община с план в базата данни.",
        "muni_not_found_back": "Към прегледа",
        "muni_no_plans": "Няма заредени планове на тази община.",
        "muni_plans_title": "Планове по години",
        "muni_per_capita_title": "На 1 000 жители",
        "muni_per_capita_text": "{places} места в услугите по плана за {year} г. при {people} жители към {date}: "
                                "{value} места на 1 000 жители.",
        "muni_per_capita_no_places": "Планът за {year} г. не посочва капацитет в места: няма число на 1 000 жители.",
        "muni_per_capita_missing": "Данните за населението не са налични ({path}): показани са само броят услуги и "
                                   "капацитетът.",
        "muni_per_capita_basis": "Областта и страната: места по последния план на всяка община, която посочва "
                                 "места, разделени на населението на същите общини (НСИ, оценка към {date}).",
        "muni_changes_title": "Промени: заявени в плановете и наблюдавани между последователни планове",
        "muni_origin_stated": "заявена",
        "muni_origin_observed": "наблюдавана",
        "muni_settlements_title": "Населени места по плана за {year} г.",
        "muni_reached": "С услуга, посочена в плана ({n})",
        "muni_not_reached": "Без услуга, посочена в плана ({n})",
        "muni_no_places_named": "Услугите в плана за {year} г. не посочват населени места: от плана не може да се "
                                "разбере кои места обхващат. Населени места в общината: {n}.",
        "muni_whole_municipality": "{n} услуги са посочени за цялата община, без населено място.",
        "muni_people": "{n} жители",
        "muni_peers_title": "Сходни общини",
        "muni_neighbours": "Съседни общини",
        "muni_similar": "Общини в областта с близко население (към {date})",
        "muni_peers_missing": "Данните за съседство и население не са налични.",
        "muni_compare": "Сравни капацитета с тези общини",
        "muni_no_plan_mark": "(няма план)",
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
        "db_missing_detail": "The database file is missing, damaged or cannot be read.",
        "db_unavailable": "The database is not available at the moment. Please try again shortly.",
        "query_timeout": "The query took too long and was stopped. Narrow the filters or try again.",
        "server_busy": "The server is busy with other heavy requests. Please try again in a few seconds.",
        "unavailable": "The service is not available at the moment. Please try again shortly.",
        "db_rebuild": "The database was built by another version of this program; this view shows again once it "
                      "is rebuilt (python -m etl build).",
        "db_outdated": "The database was built by another version of this program and some views may fail "
                       "— rebuild it: python -m etl build",
        "empty": "No data for the selected filters",
        "download": "Download data (CSV)",
        "download_table": "Download the whole table (CSV)",
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
        "dim_ssa_kind": "kind under the Social Services Act",
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
        "col_places": "Of which places",
        "col_items": "Rows in the plan",
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
        "map_metric": "Metric",
        "map_population_missing": "Population data is not available ({path}): the map cannot show places per 1,000 "
                                  "inhabitants.",
        "axis_settlement": "Settlement",
        "axis_service_type": "Service type",
        "timeline_title": "New, expanded, reduced and closed services by year",
        "axis_events": "Services",
        "origin_stated": "plan",
        "origin_observed": "plans compared",
        "data_intro": "Every row of every plan: file, line and original text. Filter in the column headers.",
        "filter_setting": "Setting",
        "filter_funding_mix": "Funding",
        "filter_ssa_kind": "Kind under the Social Services Act",
        "filter_only": "Only",
        "narrowed": "Only the records behind the chart value you clicked: {items}.",
        "narrow_services": "services only (records with a recognised service type)",
        "narrow_amounts": "only records that state an amount in leva",
        "filter_event": "Change",
        "filter_event_year": "Year of the change",
        "filter_settlement": "Settlement",
        "narrow_event_note": "a change stated in a plan is its record; a service type that appears is the plan's "
                             "records of that type; a service type missing from the next plan is the previous plan's "
                             "records of that type (the year of the change is the next plan's)",
        "narrow_clear": "Show all records of the selection",
        "source_detail_title": "Original text of the selected row",
        "source_detail_hint": "Select a row in the grid to see its whole original text.",
        "source_detail_place": "File {file}, line {line}; place: {ref}",
        "chart_click_hint": "Click a bar to see the records behind the number.",
        "click_hint_records": "Click a bar, point or cell to see the records behind the number.",
        "click_hint_municipality": "Click a municipality to open its page.",
        "types": "Group by",
        "types_old": "service types",
        "types_ssa": "kinds under the Social Services Act",
        "types_note_before": "Every plan of the selection predates the Social Services Act (in force from 1 July "
                             "2020): the kinds under the Act are given to their services by mapping the service "
                             "types; the plans do not state them.",
        "types_note_after": "Every plan of the selection is under the Social Services Act (from the 2021 plan on): "
                            "“service types” are the names the plans give their services; the kinds under the Act "
                            "are these mapped to its Art. 15.",
        "ssa_break": "Social Services Act, 1 July 2020",
        "combine": "Several municipalities",
        "combine_compare": "compare (one series per municipality)",
        "combine_sum": "add up",
        "note_latest": "From each municipality's latest plan in the selection; for another year choose it under "
                       "“Year”.",
        "note_sum": "The municipalities added up for each year (number of municipalities in brackets).",
        "note_too_many": "More than {n} municipalities — each year's total is shown; choose up to {n} municipalities to "
                         "compare them.",
        "series_sum": "{name} (total)",
        "embed": "Embed",
        "menu": "Menu",
        "embed_help": "Copy this code into your page; the chart shows the same selection as this page.",
        "embed_back": "Open in “Municipal social services”",
        "embed_unknown": "No such chart: {name}",
        "chart_data": "The chart's data",
        "not_found_title": "Page not found",
        "not_found_text": "There is no page at this address. Check the address or start from the home page.",
        "not_found_home": "To the home page",
        "placeholder_choose": "Choose…",
        "no_plan_places": "The services of this plan name no settlement — which places have no service cannot be "
                          "told.",
        # the municipality page's charts and the map's metrics (dashboard/municipality_figures.py)
        "capacity_over_time": "Capacity of the services by {dim} and year",
        "services_over_time": "Number of services by {dim} and year",
        "by_setting": "setting",
        "by_target_group": "target group",
        "funding_over_time": "Services by source of funding and year",
        "axis_plan_year": "Plan year",
        "axis_capacity_units": "Capacity (places, users, families)",
        "axis_services": "Number of services",
        "per_capita_chart": "Places in social services per 1,000 inhabitants (population on {date})",
        "per_capita_axis": "Places per 1,000 inhabitants",
        "area_municipality": "The municipality ({year})",
        "area_oblast": "Its oblast ({n} municipalities)",
        "area_country": "The country ({n} municipalities)",
        "area_oblast_one": "Its oblast (1 municipality)",
        "area_country_one": "The country (1 municipality)",
        "metric_services": "Number of social services",
        "metric_capacity": "Capacity (places, users, families)",
        "metric_per_1000": "Places per 1,000 inhabitants (population on {date})",
        "metric_project_only": "Share of services funded by projects only",
        "metric_change": "Change of capacity since the previous plan",
        "metric_map_title": "{metric} — each municipality's latest plan in the selection, {years}",
        "map_hover_year": "plan {year}",
        "map_no_value": "no data",
        # the municipality page (dashboard/pages/municipality.py)
        "muni_title": "{name} municipality",
        "muni_oblast": "{oblast} oblast",
        "muni_not_found_title": "404 — no such municipality",
        "muni_not_found": "“{code}” is not the EKATTE code of a municipality with a plan in the database.",
        "muni_not_found_back": "To the overview",
        "muni_no_plans": "No plans of this municipality are loaded.",
        "muni_plans_title": "Plans by year",
        "muni_per_capita_title": "Per 1,000 inhabitants",
        "muni_per_capita_text": "{places} places in the services of the {year} plan for {people} inhabitants on "
                                "{date}: {value} places per 1,000 inhabitants.",
        "muni_per_capita_no_places": "The {year} plan states no capacity in places: no figure per 1,000 inhabitants.",
        "muni_per_capita_missing": "Population data is not available ({path}): only the number of services and the "
                                   "capacity are shown.",
        "muni_per_capita_basis": "Oblast and country: places of the latest plan of each municipality that states "
                                 "places, divided by the population of the same municipalities (NSI estimate on "
                                 "{date}).",
        "muni_changes_title": "Changes: stated in the plans and observed between consecutive plans",
        "muni_origin_stated": "stated",
        "muni_origin_observed": "observed",
        "muni_settlements_title": "Settlements in the {year} plan",
        "muni_reached": "With a service named in the plan ({n})",
        "muni_not_reached": "With no service named in the plan ({n})",
        "muni_no_places_named": "The services of the {year} plan name no settlement: which places they reach "
                                "cannot be read from the plan. Settlements in the municipality: {n}.",
        "muni_whole_municipality": "{n} services are given for the whole municipality, with no settlement.",
        "muni_people": "{n} inhabitants",
        "muni_peers_title": "Peers",
        "muni_neighbours": "Neighbouring municipalities",
        "muni_similar": "Municipalities of the oblast with a similar population (on {date})",
        "muni_peers_missing": "Neighbour and population data are not available.",
        "muni_compare": "Compare capacity with these municipalities",
        "muni_no_plan_mark": "(no plan)",
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

# the kinds of social services of the Social Services Act, чл. 15 (etl/data/ssa_kinds.csv); none: not a social
# service under the Act
SSA_KIND = {
    "bg": {
        "information_consulting": "Информиране и консултиране",
        "advocacy_mediation": "Застъпничество и посредничество",
        "community_work": "Общностна работа",
        "therapy_rehabilitation": "Терапия и рехабилитация",
        "skills_training": "Обучение за придобиване на умения",
        "work_skills": "Подкрепа за придобиване на трудови умения",
        "day_care": "Дневна грижа",
        "residential_care": "Резидентна грижа",
        "shelter": "Осигуряване на подслон",
        "assistant_support": "Асистентска подкрепа",
        "none": "Не е социална услуга по закона / без вид",
    },
    "en": {
        "information_consulting": "Information and counselling",
        "advocacy_mediation": "Advocacy and mediation",
        "community_work": "Community work",
        "therapy_rehabilitation": "Therapy and rehabilitation",
        "skills_training": "Training in skills",
        "work_skills": "Support for gaining work skills",
        "day_care": "Day care",
        "residential_care": "Residential care",
        "shelter": "Shelter",
        "assistant_support": "Assistant support",
        "none": "Not a social service under the Act / no kind",
    },
}

LABELS = {
    "ssa_kind": SSA_KIND,
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


# --- names in the English UI: the Bulgarian official transliteration (etl/transliteration.py) --------------------


def place_name(name: str | None, lang: str | None) -> str | None:
    """A municipality's or settlement's name in the UI's language: as written in Bulgarian, transliterated in
    English."""
    return latin(name) if norm_lang(lang) == "en" else name


# --- plotly.js in the UI's language --------------------------------------------------------------------------
# The texts plotly.js draws itself (tool bar titles, notices), passed with each graph's config (`locales`: plotly's
# documented route for a locale not registered on the page). The date names are those of plotly.js's own
# lib/locales/bg.js, whose dictionary is empty.
PLOTLY_BG = {
    "dictionary": {
        "Autoscale": "Автоматичен мащаб",
        "Box Select": "Избор с правоъгълник",
        "Compare data on hover": "Сравни данните при посочване",
        "Double-click on legend to isolate one trace": "Двоен клик върху легендата оставя само една серия",
        "Double-click to zoom back out": "Двоен клик връща мащаба",
        "Download plot as a PNG": "Изтегли като PNG",
        "Download plot": "Изтегли графиката",
        "Image download succeeded": "Изображението е изтеглено",
        "Lasso Select": "Избор с ласо",
        "Pan": "Местене",
        "Preparing image - this may take a few seconds": "Изображението се подготвя — може да отнеме няколко секунди",
        "Reset axes": "Началните оси",
        "Reset view": "Началният изглед",
        "Reset views": "Началните изгледи",
        "Reset": "Начало",
        "Show closest data on hover": "Покажи най-близките данни при посочване",
        "Snapshot succeeded": "Изображението е готово",
        "Sorry, there was a problem downloading your image!": "Изображението не можа да бъде изтеглено.",
        "Toggle Spike Lines": "Линии към осите",
        "Toggle show closest data on hover": "Данни при посочване",
        "Zoom in": "Увеличи",
        "Zoom out": "Намали",
        "Zoom": "Мащаб",
        "trace": "серия",
    },
    "format": {
        "days": ["Неделя", "Понеделник", "Вторник", "Сряда", "Четвъртък", "Петък", "Събота"],
        "shortDays": ["Нед", "Пон", "Вто", "Сря", "Чет", "Пет", "Съб"],
        "months": ["Януари", "Февруари", "Март", "Април", "Май", "Юни", "Юли", "Август", "Септември", "Октомври",
                   "Ноември", "Декември"],
        "shortMonths": ["Яну", "Фев", "Мар", "Апр", "Май", "Юни", "Юли", "Авг", "Сеп", "Окт", "Нов", "Дек"],
        "date": "%d.%m.%Y",
        "decimal": ",",
        "thousands": " ",
    },
}


def graph_config(lang: str | None) -> dict:
    """A dcc.Graph's config: plotly's texts in the UI's language, and no button that sends the chart anywhere
    (no logo link, no "Share chart…" to plotly's cloud: the product makes no network calls)."""
    config = {
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "plotlyServerURL": "",
        "showTips": False,
        "modeBarButtonsToRemove": ["sendDataToCloud", "select2d", "lasso2d"],
    }
    if norm_lang(lang) == "bg":
        config.update(locale="bg", locales={"bg": PLOTLY_BG})
    return config


# --- the /data grid (AG Grid) in the UI's language: its documented localeText ---------------------------------
GRID_BG = {
    "page": "Страница", "of": "от", "to": "до", "more": "още", "next": "Следваща", "last": "Последна",
    "first": "Първа", "previous": "Предишна", "nextPage": "Следваща страница", "lastPage": "Последна страница",
    "firstPage": "Първа страница", "previousPage": "Предишна страница", "pageSizeSelectorLabel": "Редове на страница:",
    "loadingOoo": "Зареждане…", "loadingError": "Грешка", "noRowsToShow": "Няма редове",
    "enabled": "Включено", "selectAll": "(Всички)", "selectAllSearchResults": "(Всички намерени)",
    "searchOoo": "Търсене…", "blanks": "(Празни)", "noMatches": "Няма съвпадения",
    "filterOoo": "Филтър…", "equals": "Равно на", "notEqual": "Различно от", "blank": "Празно",
    "notBlank": "Непразно", "empty": "Изберете…", "lessThan": "По-малко от", "greaterThan": "По-голямо от",
    "lessThanOrEqual": "По-малко или равно на", "greaterThanOrEqual": "По-голямо или равно на",
    "inRange": "Между", "inRangeStart": "от", "inRangeEnd": "до", "contains": "Съдържа",
    "notContains": "Не съдържа", "startsWith": "Започва с", "endsWith": "Завършва на",
    "dateFormatOoo": "дд.мм.гггг", "before": "Преди", "after": "След",
    "andCondition": "И", "orCondition": "ИЛИ", "applyFilter": "Приложи", "resetFilter": "Изчисти",
    "clearFilter": "Изчисти", "cancelFilter": "Откажи", "textFilter": "Текстов филтър",
    "numberFilter": "Числов филтър", "dateFilter": "Филтър по дата", "setFilter": "Филтър по стойности",
    "filterConditions": "Условия", "filterSearch": "Търсене", "columns": "Колони", "filters": "Филтри",
    "pinColumn": "Закачи колоната", "pinLeft": "Закачи отляво", "pinRight": "Закачи отдясно", "noPin": "Без закачане",
    "autosizeThisColumn": "Ширина по съдържанието", "autosizeAllColumns": "Ширина на всички колони",
    "resetColumns": "Началните колони", "sortAscending": "Възходящо", "sortDescending": "Низходящо",
    "sortUnSort": "Без подреждане", "columnFilter": "Филтър на колоната", "columnChooser": "Избор на колони",
    "chooseColumns": "Избор на колони", "copy": "Копирай", "copyWithHeaders": "Копирай със заглавията",
    "ctrlC": "Ctrl+C", "export": "Изнеси", "csvExport": "Изнеси CSV", "searchFilter": "Търсене",
    "ariaFilterInput": "Поле за филтър", "ariaFilterValue": "Стойност на филтъра", "ariaFilterColumn": "Филтър",
    "ariaFilterFromValue": "Филтър от", "ariaFilterToValue": "Филтър до", "ariaFilteringOperator": "Оператор",
    "ariaPageSizeSelectorLabel": "Редове на страница", "ariaColumnSelectAll": "Всички колони",
    "ariaSearch": "Търсене", "ariaSearchFilterValues": "Търсене в стойностите", "ariaMenuColumn": "Меню на колоната",
    "ariaFilterMenuOpen": "Отвори филтъра", "ariaSortableColumn": "Натиснете Enter, за да подредите",
    "ariaChecked": "отметнато", "ariaUnchecked": "неотметнато", "ariaRowSelectAll": "Избери всички редове",
    "ariaColumn": "Колона", "ariaRowPageSizeSelectorLabel": "Редове на страница",
    "ariaHidden": "скрито", "ariaVisible": "видимо", "ariaIndeterminate": "неопределено",
}


def grid_locale(lang: str | None) -> dict:
    """AG Grid's localeText for the UI's language (English: the grid's own texts)."""
    return dict(GRID_BG) if norm_lang(lang) == "bg" else {}


# --- dcc.Dropdown's own texts (its `labels`) ------------------------------------------------------------------
DROPDOWN_LABELS = {
    "bg": {
        "select_all": "Избери всички",
        "deselect_all": "Премахни всички",
        "selected_count": "избрани: {num_selected}",
        "search": "Търсене",
        "clear_search": "Изчисти търсенето",
        "clear_selection": "Изчисти избора",
        "no_options_found": "Няма такива",
    },
    "en": {
        "select_all": "Select all",
        "deselect_all": "Deselect all",
        "selected_count": "{num_selected} selected",
        "search": "Search",
        "clear_search": "Clear search",
        "clear_selection": "Clear selection",
        "no_options_found": "No options found",
    },
}


def dropdown_labels(lang: str | None) -> dict:
    return dict(DROPDOWN_LABELS[norm_lang(lang)])
