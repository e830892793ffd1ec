-- Changes chart: number of events per municipality, year and kind (the events of changes.sql, counted).
select municipality, municipality_code, municipality_label, year, event, count(*) as events
from service_events($oblasts, $municipalities, $years, $target_groups, $service_types)
group by all
order by year, municipality_label, event
