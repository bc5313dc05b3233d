-- download_parquet: writes one resource of one plan to a Parquet file: exactly the package's columns,
-- typed by its Table Schema, in file order, with the release and licence as key-value metadata.
-- Parameters: $table (a loaded resource table), $plan_id, $out (file path), $version, $url,
-- $licence, $attribution.
copy (
    select * exclude (plan_id, source_row)
    from query_table($table)
    where plan_id = $plan_id
    order by source_row
) to $out (
    format parquet,
    kv_metadata {release: $version, release_url: $url, licence: $licence, attribution: $attribution}
)
