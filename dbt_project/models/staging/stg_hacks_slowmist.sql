-- SlowMist Hacked records: typed and deduplicated. SlowMist writes 0.0 when the loss is not
-- reported, so loss_usd is null when unknown (0.0 kept in loss_usd_reported).
with source as (

    select * from {{ source('raw', 'hacks_slowmist') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by source_id, incident_date, name, loss_usd_reported, attack_method
            order by loaded_at desc, source_line
        ) as row_num
    from source

),

renamed as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(cast(source_id as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            "coalesce(cast(incident_date as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            "coalesce(name, '')",
            "'|'",
            "coalesce(" ~ double_to_text("loss_usd_reported") ~ ", '')",
            "'|'",
            "coalesce(attack_method, '')",
        ])) }} as hack_id,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(incident_date as date) as incident_date,
        trim(name) as name,
        cast(description as {{ dbt.type_string() }}) as description,
        case
            when coalesce(loss_usd, loss_usd_reported) > 0
                then cast(coalesce(loss_usd, loss_usd_reported) as {{ type_double() }})
        end as loss_usd,
        cast(loss_usd_reported as {{ type_double() }}) as loss_usd_reported,
        coalesce(coalesce(loss_usd, loss_usd_reported) > 0, false) as is_loss_known,
        cast(attack_method as {{ dbt.type_string() }}) as attack_method,
        cast(reference_url as {{ dbt.type_string() }}) as reference_url,
        cast(origin as {{ dbt.type_string() }}) as origin,
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(source_line as integer) as source_line,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from deduplicated
    where row_num = 1

)

select * from renamed
