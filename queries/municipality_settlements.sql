-- The settlements (EKATTE) of the municipality of one plan ($plan_id) and whether a service of the plan names
-- each; `places_named`: how many settlements the plan's services name at all (0: the plan names no place, so
-- which settlements it reaches cannot be read from it); `whole_municipality`: services given for the whole
-- municipality. Population (31.12.2013) from the bound lists
-- $ekattes / $settlement_people (dashboard/population.py; null when unknown).
with

population as (
    select unnest($ekattes::varchar[]) as ekatte, unnest($settlement_people::bigint[]) as people
),

plan as (
    select municipality_code from plans where plan_id = $plan_id
),

listed as (
    select s.ekatte, count(distinct s.item_id) as services
    from item_settlements s
    join items i using (item_id)
    where s.plan_id = $plan_id and i.service_type is not null and s.ekatte is not null
    group by s.ekatte
),

final as (
    select st.ekatte, st.kind, st.name, st.name_en, coalesce(l.services, 0) as services, l.ekatte is not null as reached,
        pop.people as population, (select count(*) from listed) as places_named,
        (select count(*) from items where plan_id = $plan_id and service_type is not null and scope = 'municipality')
            as whole_municipality
    from settlements st
    join plan using (municipality_code)
    left join listed l using (ekatte)
    left join population pop using (ekatte)
)

select * from final order by reached desc, population desc nulls last, name
