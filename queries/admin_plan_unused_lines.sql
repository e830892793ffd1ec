-- /admin build report of one plan: its non-empty lines that feed no record, and what each was taken for.
select line, disposition, text
from line_dispositions
where plan_id = $plan_id and item_id is null
order by line
