-- Plans to choose from on the coverage page (those matching the oblast/municipality/year filters), with the number
-- of places their services name (`places`: 0 = no service of the plan names a settlement).
with

placed as (
    select plan_id, count(distinct ekatte) as places
    from item_settlements
    where ekatte is not null
    group by plan_id
)

select p.plan_id, p.municipality, p.year, p.municipality_code,
    municipality_value(p.municipality, p.municipality_code) as municipality_value,
    municipality_label(p.municipality, p.oblast) as municipality_label, coalesce(s.places, 0) as places
from plans p
left join placed s using (plan_id)
where chosen($oblasts, p.oblast)
  and chosen($municipalities, municipality_value(p.municipality, p.municipality_code))
  and chosen($years, p.year)
order by municipality_label, p.year
