-- resource_rows: one row per row of one resource of one plan, for api/<plan>/<resource>.json and the
-- downloads: exactly the columns of the package's CSV, in its order, and its rows in file order
-- (source_row), typed by the Table Schema, so published rows equal the package rows.
-- Parameters: $table (a loaded resource table, e.g. 'observations' or 'previous.observations'), $plan_id.
select * exclude (plan_id, source_row)
from query_table($table)
where plan_id = $plan_id
order by source_row
