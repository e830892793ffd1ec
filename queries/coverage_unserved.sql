-- Settlements (EKATTE) of the plan's municipality that no service of the plan lists.
with

plan as (
    select municipality_code from plans where plan_id = $plan_id
),

listed as (
    select distinct s.ekatte
    from item_settlements s
    join items i using (item_id)
    where s.plan_id = $plan_id and i.service_type is not null and s.ekatte is not null
),

final as (
    select st.ekatte, st.kind, st.name
    from settlements st
    join plan p using (municipality_code)
    anti join listed l using (ekatte)
)

select * from final order by name
