-- Deinstitutionalisation chart: capacity per municipality, plan year and setting (institution, residential, family,
-- community, home) when the selection has at most $max_municipalities municipalities with a capacity in a setting,
-- else per year and setting added up over them (municipality null; `municipalities` says how many in all):
-- the lines the chart draws, and no more rows than that. A municipality is its EKATTE code (its name without one).
-- (selected_plan_types, derived.sql: the selection per plan and service type; deinstitutionalisation.sql: the
-- same figures per municipality, the chart's CSV)
with

stated as (
    select municipality, municipality_code, municipality_label, coalesce(municipality_code, municipality) as municipality_key,
        year, setting, capacity
    from selected_plan_types($oblasts, $municipalities, $years, $target_groups, $service_types)
    where setting is not null and capacity is not null
),

selection as (
    select count(distinct municipality_key) as municipalities,
        count(distinct municipality_key) <= $max_municipalities as by_municipality
    from stated
),

final as (
    select case when s.by_municipality then p.municipality end as municipality,
        case when s.by_municipality then p.municipality_code end as municipality_code,
        case when s.by_municipality then p.municipality_label end as municipality_label,
        p.year, p.setting, sum(p.capacity) as capacity, s.municipalities
    from stated p, selection s
    group by all
)

select *,
    -- the municipality as the filter bar chooses it: what a click on its line narrows /data to
    municipality_value(municipality, municipality_code) as municipality_value
from final
order by municipality_label, year, setting
