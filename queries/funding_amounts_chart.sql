-- Amounts chart: stated amounts (leva) per series and funding class.
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

stated as (
    select municipality, year, amount_bgn,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix
    from selected
    where amount_bgn is not null
),

per_plan as (
    select count(*) <= $max_series as by_plan from (select distinct municipality, year from stated)
),

year_municipalities as (
    select year, count(distinct municipality) as municipalities from stated group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality, year, funding_mix,
        sum(amount_bgn) as amount_bgn
    from stated
    group by all
)

select f.*, y.municipalities
from final f
join year_municipalities y using (year)
order by f.municipality, f.year, funding_mix
