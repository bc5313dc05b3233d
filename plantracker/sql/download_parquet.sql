-- download_parquet: writes one resource of one plan to a Parquet file: the package's own columns,
-- typed by the contract, in file order, with the release and licence as key-value metadata.
-- Parameters: $table (a loaded resource table), $plan_id, $columns (the package's column names),
-- $out (file path), $version, $url, $licence, $attribution.
copy (
    select columns(lambda c: list_contains($columns, c))
    from query_table($table)
    where plan_id = $plan_id
    order by source_row
) to $out (
    format parquet,
    kv_metadata {release: $version, release_url: $url, licence: $licence, attribution: $attribution}
)
