-- Findings about several assets on one date, tested on portfolios (findings_portfolio_tests),
-- never as if the assets were independent: the AI tokens on the DeepSeek day, China tech
-- against US AI stocks after it (the spread AND each leg, each leg also a claim of its own) and
-- China tech in DeepSeek's open-source week. Parameters: seed finding_parameters.
-- Verdict (macro finding_verdict): the claimed direction (claimed_sign) and p < p_crit; the
-- spread claim passes only when the spread and both legs do.
with params as (

    select
        claim_id,
        max(value) filter (where parameter = 'claim') as claim,
        max(value) filter (where parameter = 'claim_kind') as claim_kind,
        cast(max(value) filter (where parameter = 'claimed_sign') as integer) as claimed_sign,
        max(value) filter (where parameter = 'long_study') as long_study,
        max(value) filter (where parameter = 'long_event') as long_event,
        max(value) filter (where parameter = 'long_assets') as long_assets,
        max(value) filter (where parameter = 'short_study') as short_study,
        max(value) filter (where parameter = 'short_event') as short_event,
        max(value) filter (where parameter = 'short_assets') as short_assets,
        max(value) filter (where parameter = 'window_start') as window_start,
        max(value) filter (where parameter = 'window_end') as window_end
    from {{ ref('finding_parameters') }}
    where
        claim_id in (
            'deepseek_ai_tokens', 'deepseek_china_tech_vs_us_ai', 'deepseek_us_ai_pullback',
            'deepseek_china_tech_rerating', 'deepseek_oss_week_china_tech'
        )
    group by claim_id

),

tests as (

    select
        p.*,
        {{ finding_param('all', 'p_crit') }} as p_crit,
        main.assets,
        main.period_start,
        main.period_end,
        main.car,
        main.t_stat,
        main.p_value,
        main.n_estimation_days,
        long_leg.mean_pairwise_correlation as long_correlation,
        short_leg.mean_pairwise_correlation as short_correlation,
        long_leg.car as long_car,
        long_leg.p_value as long_p,
        long_leg.t_stat as long_t,
        short_leg.car as short_car,
        short_leg.p_value as short_p,
        short_leg.t_stat as short_t
    from params as p
    left join {{ ref('findings_portfolio_tests') }} as main
        on p.claim_id = main.claim_id
        and main.scope = case when p.short_study is null then 'long' else 'spread' end
    left join {{ ref('findings_portfolio_tests') }} as long_leg
        on p.claim_id = long_leg.claim_id and long_leg.scope = 'long'
    left join {{ ref('findings_portfolio_tests') }} as short_leg
        on p.claim_id = short_leg.claim_id and short_leg.scope = 'short'

),

judged as (

    select
        *,
        sign(car) = claimed_sign as is_right_direction,
        p_value < p_crit
        and (
            short_study is null
            or (
                sign(long_car) = claimed_sign and long_p < p_crit
                and sign(short_car) = -claimed_sign and short_p < p_crit
            )
        ) as passes
    from tests

)

select
    claim_id,
    claim,
    case when short_study is null then 'Mean CAR' else 'Spread of mean CARs' end
    || '[' || window_start || ', ' || window_end || '] of '
    || upper(replace(long_assets, ',', ', '))
    || coalesce(' minus ' || upper(replace(short_assets, ',', ', ')), '')
    || ' (equal-weight portfolio of market-model abnormal returns, ' || long_event || ')'
        as metric,
    period_start,
    period_end,
    car as value,
    {{ finding_verdict(
        'car is not null and p_value is not null', 'is_right_direction', 'passes', 'claim_kind'
    ) }} as verdict,
    'Portfolio t test (Brown-Warner crude dependence adjustment): t = CAR / (sd of the daily '
    || 'portfolio abnormal return over the estimation days * sqrt(n)), df = days - 1'
    || case when short_study is null then '' else '; spread and each leg tested' end as test,
    case when short_study is null then 't' else 't (spread)' end as statistic_name,
    t_stat as statistic,
    p_value,
    p_crit as threshold,
    case when claimed_sign > 0 then 'CAR > 0' else 'CAR < 0' end || ' and p < '
    || {{ format_g('p_crit') }}
    || case
        when short_study is null then ''
        else ', and each leg in its direction with p < ' || {{ format_g('p_crit') }}
    end as decision_rule,
    {{ sql_text("marts.fct_abnormal_returns where study_id = '") }}
    || long_study || {{ sql_text("' and event_id = '") }}
    || long_event || {{ sql_text("' and asset_id in (") }} || long_assets || ')'
    || coalesce(
        {{ sql_text("; minus study_id = '") }} || short_study
        || {{ sql_text("' and event_id = '") }} || short_event
        || {{ sql_text("' and asset_id in (") }} || short_assets || ')', ''
    )
    || '; relative days [' || window_start || ', ' || window_end || '] and the estimation days'
        as evidence,
    'Assets with data: ' || coalesce(assets, 'none') || '; CAR = '
    || coalesce({{ format_fixed('car', 4) }}, 'n/a') || ', t = '
    || coalesce({{ format_fixed('t_stat', 2) }}, 'n/a')
    || ', p = ' || coalesce({{ format_fixed('p_value', 4) }}, 'n/a') || ', estimation days = '
    || coalesce(cast(n_estimation_days as {{ dbt.type_string() }}), 'n/a')
    || case
        when short_study is null then ''
        else '. Legs: ' || upper(replace(long_assets, ',', ', ')) || ' CAR = '
            || coalesce({{ format_fixed('long_car', 4) }}, 'n/a') || ' (t = '
            || coalesce({{ format_fixed('long_t', 2) }}, 'n/a') || ', p = '
            || coalesce({{ format_fixed('long_p', 4) }}, 'n/a') || '), '
            || upper(replace(short_assets, ',', ', ')) || ' CAR = '
            || coalesce({{ format_fixed('short_car', 4) }}, 'n/a') || ' (t = '
            || coalesce({{ format_fixed('short_t', 2) }}, 'n/a') || ', p = '
            || coalesce({{ format_fixed('short_p', 4) }}, 'n/a') || ')'
    end
    || {{ sql_text(". Mean pairwise correlation of the assets' estimation-window abnormal ") }}
    || 'returns: '
    || coalesce({{ format_fixed('long_correlation', 2) }}, 'n/a')
    || coalesce(' (short leg ' || {{ format_fixed('short_correlation', 2) }} || ')', '')
    || '; the portfolio variance carries it, so correlated assets are not counted as '
    || 'independent evidence.'
    || case
        when long_assets like '%hstech%'
            then {{ sql_text(" Relative days follow each asset's own calendar (Lunar New Year ") }}
            || 'closed Hong Kong 2025-01-29..31).'
        else ''
    end
    || case
        when claim_kind = 'causal'
            then ' A causal claim: a significant move is reported as coincided with.'
        else ''
    end as note
from judged
