-- Every (study, event, asset) that is not in the results, with the reason; plus study entries
-- naming events that do not exist (asset_id null).
select study_id, event_id, asset_id, reason
from {{ ref('int_es_pair_status') }}
where reason is not null
union all
select sel.study_id, sel.event_id, cast(null as {{ dbt.type_string() }}), 'unknown event'
from {{ ref('stg_es_study_selectors') }} as sel
where sel.event_id is not null
    and not exists (
        select 1 from {{ ref('int_es_events') }} as e
        where e.event_id = sel.event_id
    )
union all
select
    sel.study_id, cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}),
    'selector matches no event'
from {{ ref('stg_es_study_selectors') }} as sel
where sel.event_id is null
    and not exists (
        select 1 from {{ ref('int_es_events') }} as e
        where (sel.event_type is null or e.event_type = sel.event_type)
            and (sel.min_amount_usd is null or e.amount_usd >= sel.min_amount_usd)
    )
