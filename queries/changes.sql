-- Services that open, close, are planned, expanded, reduced or transformed (see the service_events
-- macro in schema.sql: stated in plans, or observed between consecutive plans of a municipality).
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
select *, count(*) over () as total_rows
from service_events($oblasts, $municipalities, $years, $target_groups, $service_types)
order by year, municipality_label, origin desc, source_line
limit $limit
