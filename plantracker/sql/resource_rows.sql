-- resource_rows: one row per row of one resource of one plan, for api/<plan>/<resource>.json and the
-- downloads: the package's own columns (in the contract's order, then its extra ones) and its rows
-- in file order (source_row), typed by the contract, so published rows equal the package rows.
-- Parameters: $table (a loaded resource table, e.g. 'observations' or 'previous.observations'),
-- $plan_id, $columns (the package's column names for this resource).
select columns(lambda c: list_contains($columns, c))
from query_table($table)
where plan_id = $plan_id
order by source_row
