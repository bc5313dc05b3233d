-- api_targets: one row per target of one plan, for api/<plan>/targets.json.
-- Exactly the columns of the package's data/targets.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    target_id, indicator_id, region_id, target_year, comparison, value, unit_id,
    baseline_year, baseline_value, baseline_unit_id, baseline_source_id, headline,
    wording_zh, summary_en, source_id, quote, note_zh, note_en
from targets
where plan_id = $plan_id
order by source_row
