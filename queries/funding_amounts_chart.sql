-- Amounts chart: stated amounts (leva) per series and funding class.
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix). A municipality is its EKATTE code
-- (municipality_code; its name without EKATTE): two of one name are two series; municipality_label shows it.
with

stated as (
    select plan_no, municipality, municipality_code, municipality_label, year, funding_mix,
        items_amount_bgn as amount_bgn, coalesce(municipality_code, municipality) as municipality_key
    from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
    where items_amount_n > 0
),

per_plan as (
    select count(distinct plan_no) <= $max_series as by_plan from stated
),

year_municipalities as (
    select year, count(distinct municipality_key) as municipalities from stated group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality,
        case when (select by_plan from per_plan) then municipality_code end as municipality_code,
        case when (select by_plan from per_plan) then municipality_label end as municipality_label, year, funding_mix,
        sum(amount_bgn) as amount_bgn
    from stated
    group by all
)

select f.*, y.municipalities
from final f
join year_municipalities y using (year)
order by f.municipality_label, f.year, funding_mix
