-- The records of the selection for the data grid when the grid has no column filter and no sort: exactly
-- the rows and order of data_items.sql then (plan order: municipality, year, seq), with the columns the grid
-- shows (dashboard/pages/data.py GRID_FIELDS, as data_grid.sql), without data_items' per-row labels and
-- filters. The page is chosen on narrow columns; only its rows are read in full (rowid).
--   $lang         the UI language ('bg' or 'en'); $section_labels, $target_group_labels, $setting_labels,
--                 $status_labels: map code -> readable label in it (one map per kind: cheaper to bind)
--   $settings, $ssa_kinds, $funding_mixes, $services_only, $amounts_only, $events, $event_years, $settlements,
--   $whole_municipality  what a chart's bar, point or cell narrows the records to
--                 (dashboard/state.py narrow_params)
--   $limit / $offset  the page (limit null: all rows); total_rows = rows of the selection
with

selected as (
    select i.rowid as row_id, i.municipality, i.year, i.seq
    from items i
    where item_chosen($oblasts, $municipalities, $years, $target_groups, $service_types,
                      i.plan_id, i.municipality, i.year, i.service_type)
      -- what a chart's bar or cell narrows /data to (derived.sql item_narrowed)
      and item_narrowed($settings, $ssa_kinds, $funding_mixes, $services_only, $amounts_only, $events,
                          $event_years, $settlements, $whole_municipality, i.item_id, i.plan_id, i.year,
                          i.service_type, i.funding, i.status, i.amount_bgn, i.scope)
),

page as (
    select row_id, municipality, year, seq
    from selected
    order by municipality, year, seq
    limit $limit offset $offset
)

select i.municipality, i.year, i.item_no,
    coalesce($section_labels[i.section], i.section) as section_text, i.name,
    case when $lang = 'en' then st.name_en else st.name_bg end as type_name,
    coalesce($target_group_labels[st.target_group], st.target_group) as target_group_text,
    coalesce($setting_labels[st.setting], st.setting) as setting_text,
    i.settlements, i.funding_raw, i.amount_bgn, i.capacity, i.capacity_before,
    coalesce($status_labels[i.status], i.status) as status_text,
    i.provider, i.source_file, i.source_line, i.source_ref, i.source_text, i.review, i.corrected,
    p.municipality_code,  -- the link of the municipality cell to /municipality/<code>
    i.item_id,
    -- what was corrected, for the tooltip of the corrected cells (dashboard/grid.py CORRECTION_NOTE_SQL)
    (select string_agg(c.field || ': ' || coalesce(nullif(c.parsed, ''), '—') || ' → ' ||
                       coalesce(nullif(c.value, ''), '—') || ' (' || coalesce(c.reason, '') || '; ' ||
                       coalesce(c.author, '') || ', ' || coalesce(c.corrected_at, '') || ')', chr(10)
                       order by c.correction_file, c.correction_row)
     from corrections c where c.item_id = i.item_id and c.status = 'applied') as correction_note,
    (select count(*) from selected) as total_rows
from page g
join items i on i.rowid = g.row_id
join plans p on p.plan_id = i.plan_id
left join service_types st on st.code = i.service_type
order by g.municipality, g.year, g.seq
