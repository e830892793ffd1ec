-- Build summary: corrections applied and not applied (refused ones are also warnings of the build report).
select
    count(*) filter (where status = 'applied') as applied,
    count(*) filter (where status = 'refused') as refused
from corrections
