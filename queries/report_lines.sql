-- Build report: every non-empty line of every plan and what became of it.
select plan_id, source_file, line, disposition, item_id, text
from line_dispositions
order by source_file, line
