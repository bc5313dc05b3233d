-- api_indicators: one row per indicator of one plan, for api/<plan>/indicators.json.
-- Exactly the columns of the package's data/indicators.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    indicator_id, name_zh, name_en, definition_zh, definition_en, unit_id, plan_wording_zh,
    comparable_to, comparability_zh, comparability_en, concept
from indicators
where plan_id = $plan_id
order by source_row
