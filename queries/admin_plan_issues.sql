-- /admin build report of one plan: its problems and notices (corrections not applied among them), by line.
select line, severity, category, message
from build_report
where plan_id = $plan_id
order by line nulls first, severity, category
