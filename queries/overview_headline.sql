-- Headline figures for the current selection: services, capacity, funding shares, new and closing.
with

selected as (
    select i.*, st.target_group
    from items i
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
    where (len($oblasts) = 0 or list_contains($oblasts, p.oblast))
      and (len($municipalities) = 0 or list_contains($municipalities, i.municipality))
      and (len($years) = 0 or list_contains($years, i.year))
      and (len($target_groups) = 0 or list_contains($target_groups, st.target_group))
      and (len($service_types) = 0 or list_contains($service_types, i.service_type))
),

services as (
    select * from selected where service_type is not null
),

classes as (
    select f.item_id, f.funding_class
    from item_funding f
    semi join services s on s.item_id = f.item_id
),

final as (
    select
        (select count(*) from services) as services,
        (select coalesce(sum(capacity), 0) from services) as capacity,
        (select count(distinct item_id) from classes where funding_class = 'state_delegated') as delegated,
        (select count(distinct item_id) from classes where funding_class = 'project') as project,
        (select count(distinct item_id) from classes where funding_class = 'municipal') as municipal,
        (select count(*) from services where status = 'new') as new_services,
        (select count(*) from services where status = 'closing') as closing_services,
        (select count(distinct plan_id) from selected) as plans
)

select * from final
