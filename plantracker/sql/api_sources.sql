-- api_sources: one row per source of one plan, for api/<plan>/sources.json.
-- Exactly the columns of the package's data/sources.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    source_id, title, publisher, url, published, accessed, authority, reprint_of, original,
    language, note
from sources
where plan_id = $plan_id
order by source_row
