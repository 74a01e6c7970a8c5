-- Test statistics per study and event window across its included event-asset pairs (formulas:
-- the model YAML and EVENT_STUDY_METHODS.md). The cross-section is over the pairs' CARs, each
-- estimation unit's CAR weighted by its pairs (the rows of fct_car); day statistics from
-- int_es_day_stats (Brown-Warner, Corrado, sign) and the residual correlation from
-- int_es_residual_correlation (Kolari-Pynnonen, by calendar date). Undefined statistics (too
-- few pairs, zero spread) are null. p-values: SciPy UDFs (t, normal, Wilcoxon). Sums of doubles
-- over the units or days add in a fixed order (macro in_order), whatever order the rows come in.
{#- Kolari-Pynnonen: the BMP t-statistic times this correction for the residual correlation -#}
{% set kp_factor = 'sqrt((1 - mean_correlation) / (1 + (n_pairs - 1) * mean_correlation))' %}
with unit_cars as (

    -- each estimation unit's CAR stands for its n_pairs pairs (events on one asset and day 0)
    select
        c.window_id, f.study_id, c.window_start, c.window_end, c.car, c.car_t_stat, c.df,
        f.n_pairs
    from {{ ref('int_es_unit_cars') }} as c
    inner join {{ ref('int_es_window_fit') }} as f on c.window_id = f.window_id

),

means as (

    select
        study_id, window_start, window_end,
        sum(n_pairs) as n_pairs,
        {{ in_order('sum', 'n_pairs * car', 'window_id') }} / sum(n_pairs) as caar,
        {{ in_order('sum', 'n_pairs * car_t_stat', 'window_id') }} / sum(n_pairs) as mean_scar
    from unit_cars
    group by study_id, window_start, window_end

),

cross_section as (

    select
        c.study_id, c.window_start, c.window_end,
        any_value(m.n_pairs) as n_pairs,
        any_value(m.caar) as caar,
        sqrt(
            {{ in_order('sum', 'c.n_pairs * power(c.car - m.caar, 2)', 'c.window_id') }}
            / nullif(any_value(m.n_pairs) - 1, 0)
        ) as sd_car,
        {{ in_order('sum', 'c.n_pairs * c.car_t_stat', 'c.window_id') }} as sum_scar,
        any_value(m.mean_scar) as mean_scar,
        sqrt(
            {{ in_order(
                'sum', 'c.n_pairs * power(c.car_t_stat - m.mean_scar, 2)', 'c.window_id'
            ) }}
            / nullif(any_value(m.n_pairs) - 1, 0)
        ) as sd_scar,
        {{ in_order(
            'sum', 'c.n_pairs * c.df / cast(c.df - 2 as ' ~ type_double() ~ ')', 'c.window_id'
        ) }} as patell_var,
        coalesce(sum(c.n_pairs) filter (where c.car > 0), 0) as n_positive,
        {{ list_unordered('c.car') }} as cars,
        {{ list_unordered('c.n_pairs') }} as weights
    from unit_cars as c
    inner join means as m using (study_id, window_start, window_end)
    group by c.study_id, c.window_start, c.window_end

),

-- Wilcoxon signed-rank on the pairs' CARs: zeros dropped, |CAR| ranked with ties averaged (a
-- unit's pairs are ties: their average rank is between the pairs below and the pairs up to
-- them); the statistic is SciPy's two-sided one, min(W+, W-)
signed_ranks as (

    select
        study_id, window_start, window_end, car, n_pairs,
        -- pairs strictly below (up to its peers minus the peers: integers, exact), and up to
        -- its peers
        cast(
            sum(n_pairs) over by_size
            - sum(n_pairs) over (partition by study_id, window_start, window_end, abs(car))
            + 1 + sum(n_pairs) over by_size as {{ type_double() }}
        ) / 2 as rnk
    from unit_cars
    where car <> 0
    window by_size as (partition by study_id, window_start, window_end order by abs(car))

),

wilcoxon as (

    select
        study_id, window_start, window_end,
        least(
            coalesce(sum(n_pairs * rnk) filter (where car > 0), 0),
            coalesce(sum(n_pairs * rnk) filter (where car < 0), 0)
        ) as w_stat
    from signed_ranks
    group by study_id, window_start, window_end

),

day_stats as (

    select * from {{ ref('int_es_day_stats') }}

),

-- Brown-Warner: sd of the AAR over the estimation days; generalised sign: pooled share of
-- positive estimation ARs; Corrado: S_U over all days
study_days as (

    select
        study_id,
        {{ in_order('stddev_samp', 'aar', 'relative_day') }} filter (where in_estimation_window)
            as sd_aar,
        count(*) filter (where in_estimation_window) as n_aar_days,
        sum(n_positive) filter (where in_estimation_window)
        / sum(n_pairs) filter (where in_estimation_window) as p_positive,
        sqrt({{ in_order('avg', 'rank_statistic * rank_statistic', 'relative_day') }}) as s_u
    from day_stats
    group by study_id

),

rank_windows as (

    select
        w.study_id, w.window_start, w.window_end,
        {{ in_order('sum', 'd.rank_statistic / nullif(s.s_u, 0)', 'd.relative_day') }}
        / sqrt(count(*)) as rank_z
    from {{ ref('stg_es_study_event_windows') }} as w
    inner join day_stats as d
        on w.study_id = d.study_id and d.relative_day between w.window_start and w.window_end
    inner join study_days as s on w.study_id = s.study_id
    group by w.study_id, w.window_start, w.window_end

),

stats as (

    select
        cs.study_id, cs.window_start, cs.window_end, cs.n_pairs, cs.caar,
        cs.caar / (cs.sd_car / sqrt(cs.n_pairs)) as cs_t_stat,
        cs.caar / (sqrt(cs.window_end - cs.window_start + 1.0) * sd.sd_aar) as bw_t_stat,
        sd.n_aar_days,
        cs.sum_scar / sqrt(cs.patell_var) as patell_z,
        cs.mean_scar / (cs.sd_scar / sqrt(cs.n_pairs)) as bmp_t_stat,
        kp.mean_correlation,
        rw.rank_z,
        (cs.n_positive - cs.n_pairs * sd.p_positive)
        / sqrt(cs.n_pairs * sd.p_positive * (1 - sd.p_positive)) as gen_sign_z,
        wx.w_stat as wilcoxon_stat,
        wilcoxon_two_sided_p(cs.cars, cs.weights) as wilcoxon_p_value
    from cross_section as cs
    left join study_days as sd on cs.study_id = sd.study_id
    left join {{ ref('int_es_residual_correlation') }} as kp on cs.study_id = kp.study_id
    left join rank_windows as rw
        on cs.study_id = rw.study_id and cs.window_start = rw.window_start
        and cs.window_end = rw.window_end
    left join wilcoxon as wx
        on cs.study_id = wx.study_id and cs.window_start = wx.window_start
        and cs.window_end = wx.window_end

),

guarded as (

    select
        study_id, window_start, window_end, n_pairs, caar,
        case when n_pairs >= 2 and {{ is_finite('cs_t_stat') }} then cs_t_stat end as cs_t_stat,
        case when {{ is_finite('bw_t_stat') }} then bw_t_stat end as bw_t_stat,
        n_aar_days,
        case when {{ is_finite('patell_z') }} then patell_z end as patell_z,
        case when n_pairs >= 2 and {{ is_finite('bmp_t_stat') }} then bmp_t_stat end as bmp_t_stat,
        mean_correlation,
        case when {{ is_finite('rank_z') }} then rank_z end as rank_z,
        case when {{ is_finite('gen_sign_z') }} then gen_sign_z end as gen_sign_z,
        wilcoxon_stat,
        wilcoxon_p_value,
        case
            when n_pairs >= 2 and {{ is_finite('bmp_t_stat') }}
                and {{ is_finite(kp_factor) }}
                then bmp_t_stat * {{ kp_factor }}
        end as kp_t_stat
    from stats

)

select
    study_id,
    cast(window_start as integer) as window_start,
    cast(window_end as integer) as window_end,
    cast(n_pairs as integer) as n_pairs,
    caar,
    cs_t_stat,
    t_two_sided_p(cs_t_stat, n_pairs - 1.0) as cs_p_value,
    bw_t_stat,
    t_two_sided_p(bw_t_stat, n_aar_days - 1.0) as bw_p_value,
    patell_z,
    normal_two_sided_p(patell_z) as patell_p_value,
    bmp_t_stat,
    t_two_sided_p(bmp_t_stat, n_pairs - 1.0) as bmp_p_value,
    kp_t_stat,
    t_two_sided_p(kp_t_stat, n_pairs - 1.0) as kp_p_value,
    rank_z,
    normal_two_sided_p(rank_z) as rank_p_value,
    gen_sign_z,
    normal_two_sided_p(gen_sign_z) as gen_sign_p_value,
    wilcoxon_stat,
    wilcoxon_p_value
from guarded
