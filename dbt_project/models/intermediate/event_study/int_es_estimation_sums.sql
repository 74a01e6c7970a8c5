-- One row per session of each study asset with the sums over the estimation window of a day 0
-- at that session (macro es_estimation_sums): the two halves, computed at the same time.
{#- a table on Spark, as every model there: any engine reads its Parquet -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
-- the halves' columns, alike by construction (one macro)
select * from {{ ref('int_es_estimation_sums_even') }}  -- noqa: AM04
union all
select * from {{ ref('int_es_estimation_sums_odd') }}
