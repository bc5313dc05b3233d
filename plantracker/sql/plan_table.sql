-- plan_table: one row per row of one resource table of one plan, in file order, with every column
-- of the table (plan_id and source_row, the spreadsheet row, included). Table names come from the
-- data-package contract, never from the data.
-- Parameters: $table (a loaded resource table), $plan_id.
select *
from query_table($table)
where plan_id = $plan_id
order by source_row
