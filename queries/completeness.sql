-- Which municipalities and years are loaded: one row per plan (items = rows extracted);
-- when oblasts are chosen and EKATTE is loaded, their municipalities without a plan too (year null).
with

loaded as (
    select municipality, municipality_code, municipality_label(municipality, oblast) as municipality_label, oblast,
        year, items, plan_id
    from plans
    where chosen($oblasts, oblast)
      and chosen($municipalities, municipality_value(municipality, municipality_code))
      and chosen($years, year)
),

reference as (
    select m.name as municipality, m.municipality_code, municipality_label(m.name, o.name) as municipality_label,
        o.name as oblast
    from municipalities m
    join oblasts o using (oblast_code)
    where len($oblasts) > 0 and list_contains($oblasts, o.name)
      and chosen($municipalities, municipality_value(m.name, m.municipality_code))
),

missing as (
    select r.municipality, r.municipality_code, r.municipality_label, r.oblast, null::integer as year, null::integer as items, null::varchar as plan_id
    from reference r
    anti join loaded l on l.municipality_code = r.municipality_code
),

final as (
    select * from loaded
    union all
    select * from missing
)

select * from final order by oblast, municipality_label, year
