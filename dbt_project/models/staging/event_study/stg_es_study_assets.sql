-- A study's `assets` entries: an asset id, an asset class, or `event` (the event's own asset).
select distinct
    cast(study_id as {{ dbt.type_string() }}) as study_id,
    lower(cast(asset_ref as {{ dbt.type_string() }})) as asset_ref
from {{ source('raw', 'study_assets') }}
