-- Which municipalities and years are loaded: one row per plan (items = rows extracted);
-- when oblasts are chosen and EKATTE is loaded, their municipalities without a plan too (year null).
with

loaded as (
    select municipality, oblast, year, items, plan_id
    from plans
    where chosen($oblasts, oblast)
      and chosen($municipalities, municipality)
      and chosen($years, year)
),

reference as (
    select m.name as municipality, o.name as oblast
    from municipalities m
    join oblasts o using (oblast_code)
    where len($oblasts) > 0 and list_contains($oblasts, o.name)
      and chosen($municipalities, m.name)
),

missing as (
    select r.municipality, r.oblast, null::integer as year, null::integer as items, null::varchar as plan_id
    from reference r
    anti join loaded l on l.municipality = r.municipality and l.oblast is not distinct from r.oblast
),

final as (
    select * from loaded
    union all
    select * from missing
)

select * from final order by oblast, municipality, year
