-- Build summary: how many records carry each review flag, most frequent first.
with flags as (
    select unnest(string_split(review, ';')) as flag
    from items
    where review is not null
)

select flag, count(*) as records
from flags
group by flag
order by records desc, flag
