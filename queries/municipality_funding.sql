-- The services of one municipality ($code) by plan year and funding mix (the single funding class, 'mixed'
-- when several, 'unknown' when none; plan_summary, derived.sql).
select k.year, s.funding_mix, sum(s.services)::bigint as services
from plan_summary s
join plan_keys k using (plan_no)
where k.municipality_code = $code and s.services > 0
group by all
order by k.year, s.funding_mix
