-- /admin build report of one plan: the corrections read for it, applied (with the value they replaced) or
-- refused (with why), also those whose document changed (found by their file, <plan_id>.csv).
select source_line, source_record, field, parsed, value, reason, author, corrected_at, status, why, correction_file, correction_row
from corrections
where plan_id = $plan_id or correction_file = $plan_id || '.csv'
order by correction_file, correction_row
