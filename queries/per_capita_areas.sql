-- Places per 1 000 inhabitants of one municipality ($code), of its oblast and of the country: each
-- municipality by its latest loaded plan (capacity in places of its services), the oblast and the country
-- over the municipalities whose latest plan states capacity in places and whose population is known (both sums
-- over the same municipalities: `municipalities` says how many). No municipality row: its plan states no places.
-- $codes / $people: population by EKATTE municipality code (bound lists, dashboard/population.py).
with

population as (
    select unnest($codes::varchar[]) as municipality_code, unnest($people::bigint[]) as people
),

latest as (
    select plan_id, municipality_code, oblast_code, year
    from plans
    where municipality_code is not null
    qualify row_number() over (partition by municipality_code order by year desc) = 1
),

per_municipality as (
    select l.municipality_code, l.oblast_code, l.year,
        sum(i.capacity) filter (where i.capacity_unit = 'places' and i.service_type is not null) as places,
        pop.people
    from latest l
    join population pop using (municipality_code)
    left join items i using (plan_id)
    where pop.people > 0
    group by all
    having places is not null
),

own as (
    select oblast_code from plans where municipality_code = $code limit 1
),

areas as (
    select 'municipality' as area, 1 as area_order, * from per_municipality where municipality_code = $code
    union all by name
    select 'oblast' as area, 2 as area_order, * from per_municipality where oblast_code = (select oblast_code from own)
    union all by name
    select 'country' as area, 3 as area_order, * from per_municipality
),

final as (
    select area, area_order, count(*) as municipalities, sum(places) as places, sum(people) as population,
        sum(places) * 1000.0 / sum(people) as per_1000, min(year) as first_year, max(year) as last_year
    from areas
    group by area, area_order
)

select * from final order by area_order
