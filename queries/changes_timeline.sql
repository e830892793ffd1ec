-- Changes chart: number of events per year and kind (the events of changes.sql, counted).
select year, event, count(*) as events
from service_events($oblasts, $municipalities, $years, $target_groups, $service_types)
group by all
order by year, event
