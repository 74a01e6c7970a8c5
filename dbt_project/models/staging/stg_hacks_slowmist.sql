-- SlowMist Hacked records: typed and deduplicated. SlowMist writes 0.0 when the loss is not
-- reported, so loss_usd is null when unknown (0.0 kept in loss_usd_reported).
with deduplicated as (

    -- One report per incident (the declared staging_key): the loader keeps two SlowMist reports
    -- of one incident with other references (FarmEOS, 2019-01-15); staging keeps the first.
    {{ latest_source_rows('hacks_slowmist') }}

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
        {{ known_loss_usd('loss_usd_reported') }} as loss_usd,
        cast(loss_usd_reported as {{ type_double() }}) as loss_usd_reported,
        {{ known_loss_usd('loss_usd_reported') }} is not null as is_loss_known,
        cast(attack_method as {{ dbt.type_string() }}) as attack_method,
        cast(reference_url as {{ dbt.type_string() }}) as reference_url,
        {{ staged_lineage_columns() }}
    from deduplicated

)

select * from renamed
