-- Capacity per service type compared between consecutive plans of the same municipality (only pairs
-- where the capacity differs, including a type that appears or disappears): the observed_capacity table
-- of derived.sql, for the filter bar's selection. A year filter selects the later plan of a pair, which
-- is compared with its municipality's previous plan whether or not that year is selected.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
select o.municipality, k.municipality_code, k.municipality_label, o.previous_year, o.year, o.service_type, st.name_bg as type_bg, st.name_en as type_en,
    o.capacity_before, o.capacity, o.change, count(*) over () as total_rows
from observed_capacity o
join plan_keys k on k.plan_id = o.plan_id
left join service_types st on st.code = o.service_type
where chosen($oblasts, o.oblast)
  and chosen($municipalities, k.municipality_value)
  and chosen($years, o.year)
  and chosen($target_groups, st.target_group)
  and chosen($service_types, o.service_type)
order by k.municipality_label, o.year, o.service_type
limit $limit
