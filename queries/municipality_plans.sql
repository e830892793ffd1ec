-- The loaded plans of one municipality ($code) by year: the plan's source file, its rows, its services, their
-- capacity (all units) and the part of it in places.
select p.plan_id, p.year, p.source_file, p.title, p.items,
    count(i.service_type) as services,
    sum(i.capacity) filter (where i.service_type is not null) as capacity,
    sum(i.capacity) filter (where i.service_type is not null and i.capacity_unit = 'places') as places
from plans p
left join items i using (plan_id)
where p.municipality_code = $code
group by all
order by p.year
