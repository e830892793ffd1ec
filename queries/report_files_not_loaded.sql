-- Build summary: files that could not be read, with the reason.
select source_file, category, message
from build_report
where severity = 'error' and plan_id is null
order by source_file
