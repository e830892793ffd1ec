-- The records of the filter bar's selection, and how many of them carry a review flag or a corrected value: the
-- line under every page's filter bar (dashboard/review_notice.py) that says what its figures rest on.
select
    count(*) as records,
    count(*) filter (where i.review is not null) as flagged,
    count(*) filter (where i.corrected is not null) as corrected
from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types) as i
