-- Build report: problems and notices, files that could not be loaded first.
select source_file, plan_id, line, severity, category, message
from build_report
order by plan_id nulls first, source_file, line nulls first, category
