-- One plan: services per settlement and service type; a municipality-wide service has
-- settlement null and place_kind 'municipality' (also 'region' / 'unstated'). The plan's municipality (as the filter
-- bar chooses it: municipality_value) and year go with each row: a cell's link to its records on /data.
with

services as (
    select i.item_id, i.service_type, i.scope, i.capacity, st.name_bg as type_bg, st.name_en as type_en
    from items i
    join service_types st on st.code = i.service_type
    where i.plan_id = $plan_id
      and (len($target_groups) = 0 or list_contains($target_groups, st.target_group))
      and (len($service_types) = 0 or list_contains($service_types, i.service_type))
),

placed as (
    select s.*, p.name as settlement, p.ekatte, 'settlement' as place_kind
    from services s
    join item_settlements p using (item_id)
),

unplaced as (
    select s.*, null::varchar as settlement, null::varchar as ekatte,
        case when s.scope in ('municipality', 'region') then s.scope else 'unstated' end as place_kind
    from services s
    anti join item_settlements p using (item_id)
),

final as (
    select settlement, ekatte, place_kind, service_type, type_bg, type_en,
        count(*) as services, sum(capacity) as capacity
    from (select * from placed union all by name select * from unplaced)
    where place_kind in ('settlement', 'municipality')
    group by all
)

select f.*, municipality_value(p.municipality, p.municipality_code) as municipality_value, p.year
from final f
cross join (select municipality, municipality_code, year from plans where plan_id = $plan_id) p
order by f.place_kind, f.settlement, f.service_type
