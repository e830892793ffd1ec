-- Settlements by their EKATTE codes ($codes): kind and names in both languages (how /data names the place a
-- coverage cell narrowed its records to).
select ekatte, kind, name, name_en
from settlements
where list_contains($codes, ekatte)
order by ekatte
