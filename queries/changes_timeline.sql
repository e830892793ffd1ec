-- Changes chart: number of events per municipality, year and kind (the events of changes.sql, counted);
-- municipality_value: the municipality as the filter bar chooses it (a bar's link to its records on /data).
select municipality, municipality_code, municipality_label, municipality_value(municipality, municipality_code)
        as municipality_value, year, event, count(*) as events
from service_events($oblasts, $municipalities, $years, $target_groups, $service_types)
group by all
order by year, municipality_label, event
