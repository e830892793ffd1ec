-- The changes of one municipality's services ($code), stated in its plans and observed between its consecutive
-- plans (the events table, derived.sql), with the source line of each.
select e.year, e.origin, e.event, e.item_no, e.name, e.type_bg, e.type_en, e.capacity_before, e.capacity,
    e.source_file, e.source_line
from events e
semi join (select municipality, year, oblast from plans where municipality_code = $code) p
    on p.municipality = e.municipality and p.year = e.year and p.oblast is not distinct from e.oblast
order by e.year desc, e.origin desc, e.source_line
