"""The query summaries of queries/derived.sql (plan_keys, plan_summary, type_capacity.services and the
selected_plan_funding / selected_plan_types macros) agree with a direct computation from the base tables,
and every page query that reads them gives exactly what the same query over the items gives (the item-level
formulations below are the queries as they were before the summaries), on the sample plans and on a small
synthetic corpus, for many filter states."""

from __future__ import annotations

from .helpers import QUERIES, assert_same, filter_states, run

FUNDING_MIX = """case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed' else funding end"""

# A municipality as the filter bar chooses it: its EKATTE code when another municipality (in EKATTE or among the
# plans) has its name, else its name.
BAR_VALUE = """case when s.municipality_code is not null and (
                     exists (select 1 from municipalities m1 join municipalities m2
                             on m1.name = m2.name and m1.municipality_code <> m2.municipality_code
                             where m1.name = s.municipality)
                     or exists (select 1 from plans p1 join plans p2 on p1.municipality = p2.municipality
                                and p1.municipality_code <> p2.municipality_code where p1.municipality = s.municipality))
                 then s.municipality_code else s.municipality end"""

# The page queries over the items (selected_items of schema.sql), as they were before the summary tables.
ITEM_LEVEL = {
    "funding_mix": f"""
        with classified as (
            select *, {FUNDING_MIX} as funding_mix, municipality_label(municipality, oblast) as municipality_label
            from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
            where service_type is not null)
        select municipality, year, funding_mix, count(*) as services, coalesce(sum(capacity), 0) as capacity,
            municipality_code, municipality_label
        from classified group by all order by municipality_label, year, funding_mix""",
    "funding_mix_chart": f"""
        with classified as (
            select municipality, municipality_code, municipality_label(municipality, oblast) as municipality_label,
                coalesce(municipality_code, municipality) as municipality_key, year, capacity,
                {FUNDING_MIX} as funding_mix, {BAR_VALUE} as bar_value
            from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types) s
            where service_type is not null),
        per_plan as (select count(*) <= $max_series as by_plan from (select distinct municipality_key, year from classified)),
        year_municipalities as (select year, count(distinct municipality_key) as municipalities from classified group by year),
        final as (
            select case when (select by_plan from per_plan) then municipality end as municipality,
                case when (select by_plan from per_plan) then municipality_code end as municipality_code,
                case when (select by_plan from per_plan) then municipality_label end as municipality_label,
                year, funding_mix, count(*) as services, coalesce(sum(capacity), 0) as capacity,
                case when (select by_plan from per_plan) then bar_value end as municipality_value
            from classified group by all)
        select f.* exclude (municipality_value), y.municipalities, f.municipality_value
        from final f join year_municipalities y using (year)
        order by f.municipality_label, f.year, funding_mix""",
    "funding_amounts_chart": f"""
        with stated as (
            select municipality, municipality_code, municipality_label(municipality, oblast) as municipality_label,
                coalesce(municipality_code, municipality) as municipality_key, year, amount_bgn,
                {FUNDING_MIX} as funding_mix
            from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
            where amount_bgn is not null),
        per_plan as (select count(*) <= $max_series as by_plan from (select distinct municipality_key, year from stated)),
        year_municipalities as (select year, count(distinct municipality_key) as municipalities from stated group by year),
        final as (
            select case when (select by_plan from per_plan) then municipality end as municipality,
                case when (select by_plan from per_plan) then municipality_code end as municipality_code,
                case when (select by_plan from per_plan) then municipality_label end as municipality_label,
                year, funding_mix, sum(amount_bgn) as amount_bgn
            from stated group by all)
        select f.*, y.municipalities from final f join year_municipalities y using (year)
        order by f.municipality_label, f.year, funding_mix""",
    "overview_headline": """
        with selected as (
            select plan_id, coalesce(municipality_code, municipality) as municipality_key, year, service_type,
                capacity, status, string_split(coalesce(funding, ''), ';') as classes
            from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)),
        latest as (select municipality_key, max(year) as year from selected group by all),
        chosen as (select s.* from selected s
                   semi join latest l on l.municipality_key = s.municipality_key and l.year = s.year)
        select
            count(*) filter (where service_type is not null) as services,
            coalesce(sum(capacity) filter (where service_type is not null), 0) as capacity,
            count(*) filter (where service_type is not null and list_contains(classes, 'state_delegated')) as delegated,
            count(*) filter (where service_type is not null and list_contains(classes, 'project')) as project,
            count(*) filter (where service_type is not null and list_contains(classes, 'municipal')) as municipal,
            count(*) filter (where service_type is not null and status = 'new') as new_services,
            count(*) filter (where service_type is not null and status = 'closing') as closing_services,
            count(distinct plan_id) as plans,
            count(distinct municipality_key) as municipalities,
            min(year) as first_year,
            max(year) as last_year,
            (select count(distinct plan_id) from selected) as plans_selected
        from chosen""",
    "capacity_chart": f"""
        with services as (
            select s.*, municipality_label(municipality, oblast) as municipality_label,
                coalesce(municipality_code, municipality) as municipality_key, {BAR_VALUE} as bar_value,
                -- its kind under the Social Services Act; 'none': a type of no kind
                coalesce(k.ssa_kind, 'none') as ssa_kind
            from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types) s
            left join service_types k on k.code = s.service_type
            where service_type is not null and capacity is not null),
        per_plan as (select count(*) <= $max_series as by_plan from (select distinct municipality_key, year from services)),
        year_municipalities as (select year, count(distinct municipality_key) as municipalities from services group by year),
        final as (
            select case when (select by_plan from per_plan) then municipality end as municipality,
                case when (select by_plan from per_plan) then municipality_code end as municipality_code,
                case when (select by_plan from per_plan) then municipality_label end as municipality_label, year,
                service_type, any_value(type_bg) as type_bg, any_value(type_en) as type_en,
                any_value(target_group) as target_group, any_value(setting) as setting,
                any_value(ssa_kind) as ssa_kind, sum(capacity) as capacity,
                case when (select by_plan from per_plan) then any_value(bar_value) end as municipality_value
            from services group by all)
        select f.* exclude (municipality_value), y.municipalities, f.municipality_value
        from final f join year_municipalities y using (year)
        order by f.municipality_label, f.year, service_type""",
    "deinstitutionalisation": """
        select municipality, year, setting, count(*) as services, sum(capacity) as capacity, municipality_code,
            municipality_label(municipality, oblast) as municipality_label
        from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
        where setting is not null
        group by all order by municipality_label, year, setting""",
    "capacity_by_group": """
        select municipality, year, service_type, type_bg, type_en, target_group, setting,
            count(*) as services, sum(capacity) as capacity, municipality_code,
            municipality_label(municipality, oblast) as municipality_label
        from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
        where service_type is not null
        group by all order by municipality_label, year, service_type""",
}
SERIES = ("funding_mix_chart", "funding_amounts_chart", "capacity_chart")


def test_plan_keys_number_the_plans_in_municipality_year_order(con):
    got = con.execute("select plan_no, plan_id, municipality, oblast, year, municipality_code from plan_keys "
                      "order by plan_no").fetchall()
    want = con.execute("select row_number() over (order by municipality, year), plan_id, municipality, oblast, "
                       "year, municipality_code from plans order by municipality, year").fetchall()
    assert got == want and len(got) == con.execute("select count(*) from plans").fetchone()[0]


def test_plan_summary_equals_the_items_counted_per_plan_and_funding_mix(con):
    cols = ("plan_no, plan_id, funding_mix, items, items_capacity, items_amount_bgn, items_amount_n, services, "
            "capacity, delegated, project, municipal, new_services, closing_services")
    got = con.execute(f"select {cols} from plan_summary order by plan_no, funding_mix").fetchall()
    want = con.execute(f"""
        with classified as (
            select *, {FUNDING_MIX} as funding_mix, string_split(coalesce(funding, ''), ';') as classes
            from items)
        select k.plan_no, c.plan_id, c.funding_mix, count(*), sum(c.capacity), sum(c.amount_bgn), count(c.amount_bgn),
            count(*) filter (where c.service_type is not null),
            sum(c.capacity) filter (where c.service_type is not null),
            count(*) filter (where c.service_type is not null and list_contains(c.classes, 'state_delegated')),
            count(*) filter (where c.service_type is not null and list_contains(c.classes, 'project')),
            count(*) filter (where c.service_type is not null and list_contains(c.classes, 'municipal')),
            count(*) filter (where c.service_type is not null and c.status = 'new'),
            count(*) filter (where c.service_type is not null and c.status = 'closing')
        from classified c join plan_keys k using (plan_id)
        group by all order by k.plan_no, c.funding_mix""").fetchall()
    assert got == want and got
    # every item is counted once
    assert con.execute("select sum(items) from plan_summary").fetchone()[0] == \
        con.execute("select count(*) from items").fetchone()[0]


def test_type_capacity_counts_the_services_of_each_plan_and_type(con):
    got = con.execute("select plan_id, service_type, services, capacity from type_capacity order by all").fetchall()
    want = con.execute("select plan_id, service_type, count(*), sum(capacity) from items "
                       "where service_type is not null group by all order by all").fetchall()
    assert got == want and got


def test_page_queries_equal_their_item_level_formulation(con):
    states = filter_states(con)
    for name, reference in ITEM_LEVEL.items():
        sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
        for state in states:
            for extra in ([{"max_series": 8}, {"max_series": 0}, {"max_series": 1000}] if name in SERIES else [{}]):
                params = {**state, **extra}
                assert_same(run(con, sql, params), run(con, reference, params), f"{name} {params}")


def test_the_headline_never_adds_two_plans_of_one_municipality(con):
    """Whatever the selection, the headline takes one plan per municipality: its latest in the selection."""
    for state in filter_states(con):
        row = run(con, (QUERIES / "overview_headline.sql").read_text(encoding="utf-8"), state).iloc[0]
        assert row["plans"] == row["municipalities"], state
