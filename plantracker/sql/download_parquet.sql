-- download_parquet: writes one resource of one plan to a Parquet file: the package's own columns,
-- typed by the contract, in file order, with the release and licence as key-value metadata.
-- Parameters: $table (a loaded resource table), $plan_id, $columns (the package's column names),
-- $out (file path), $version, $url, $licence, $attribution.
-- Every column OPTIONAL (may hold nulls), as the Table Schema allows: DuckDB writes a column as
-- REQUIRED when the table's statistics show no null in it, and those statistics cover every plan's
-- rows, so a plan's file would change with another plan's data. The CASE keeps each column's name
-- and type and hides the statistics (tests/test_downloads.py: a plan's files do not depend on others).
copy (
    select case when plan_id is not null then columns(lambda c: list_contains($columns, c)) end
    from query_table($table)
    where plan_id = $plan_id
    order by source_row
) to $out (
    format parquet,
    kv_metadata {release: $version, release_url: $url, licence: $licence, attribution: $attribution}
)
