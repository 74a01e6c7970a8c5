-- Test statistics per study and event window across its included event-asset pairs
-- (formulas: docs EVENT_STUDY_METHODS.md). Undefined statistics (too few pairs, zero spread)
-- are null. Two-sided p-values: t via t_two_sided_p, normal via normal_two_sided_p (SciPy UDFs).
with ar as (

    select * from {{ ref('int_es_abnormal_returns') }} where abnormal_return is not null

),

car as (

    select c.*
    from {{ ref('fct_car') }} as c

),

fit as (

    select study_id, event_id, asset_id, n_estimation_days, n_model_params
    from {{ ref('int_es_model_fit') }}

),

windows as (

    select study_id, window_start, window_end from {{ ref('stg_es_study_event_windows') }}

),

-- cross-section of CARs -----------------------------------------------------------------------
cross_section as (

    select
        car.study_id, car.window_start, car.window_end,
        count(*) as n_pairs,
        avg(car.car) as caar,
        stddev_samp(car.car) as sd_car,
        sum(car.car_t_stat) as sum_scar,
        avg(car.car_t_stat) as mean_scar,
        stddev_samp(car.car_t_stat) as sd_scar,
        sum((fit.n_estimation_days - fit.n_model_params)
            / (fit.n_estimation_days - fit.n_model_params - 2.0)) as patell_var,
        count(*) filter (where car.car > 0) as n_positive
    from car
    inner join fit using (study_id, event_id, asset_id)
    group by all

),

-- Brown-Warner: sd of the AAR over the estimation days (relative day tau) ----------------------
aar_est as (

    select study_id, relative_day, avg(abnormal_return) as aar
    from ar where in_estimation group by all

),

bw as (

    select study_id, stddev_samp(aar) as sd_aar, count(*) as n_aar_days
    from aar_est group by all

),

-- Kolari-Pynnonen: mean pairwise correlation of estimation residuals (aligned on relative day),
-- r = (sum_tau (sum_i u_i,tau)^2 - N) / (N (N - 1)), u = centred residuals scaled to unit norm.
resid_centred as (

    select study_id, event_id, asset_id, relative_day,
        abnormal_return - avg(abnormal_return) over (partition by study_id, event_id, asset_id) as e
    from ar where in_estimation

),

resid_unit as (

    select *, e / sqrt(sum(e * e) over (partition by study_id, event_id, asset_id)) as u
    from resid_centred

),

kp_corr as (

    select study_id,
        (sum(u_sum * u_sum) - max(n_pairs)) / (max(n_pairs) * (max(n_pairs) - 1.0)) as mean_corr
    from (
        select study_id, relative_day, sum(u) as u_sum,
            max(n_pairs) as n_pairs
        from (
            select *, count(distinct event_id || '|' || asset_id) over (partition by study_id) as n_pairs
            from resid_unit
        ) group by all
    ) group by all

),

-- Corrado rank: ranks of each pair's ARs over estimation + event days (ties averaged) ----------
ranked as (

    select study_id, event_id, asset_id, relative_day, in_estimation,
        (rank() over (partition by study_id, event_id, asset_id order by abnormal_return)
            + (count(*) over (partition by study_id, event_id, asset_id, abnormal_return) - 1) / 2.0)
        / (count(*) over (partition by study_id, event_id, asset_id) + 1.0) - 0.5 as u
    from ar

),

rank_days as (

    select study_id, relative_day, sum(u) / sqrt(count(*)) as day_sum
    from ranked group by all

),

rank_sd as (

    select study_id, sqrt(avg(day_sum * day_sum)) as s_u from rank_days group by all

),

rank_window as (

    select w.study_id, w.window_start, w.window_end,
        sum(d.day_sum / nullif(s.s_u, 0)) / sqrt(count(*)) as rank_z
    from windows as w
    inner join rank_days as d
        on w.study_id = d.study_id and d.relative_day between w.window_start and w.window_end
    inner join rank_sd as s on w.study_id = s.study_id
    group by all

),

-- generalised sign: pooled share of positive estimation ARs ------------------------------------
sign_p as (

    select study_id, avg(case when abnormal_return > 0 then 1.0 else 0.0 end) as p_positive
    from ar where in_estimation group by all

),

-- Wilcoxon signed-rank on the CARs (zeros dropped, ties averaged), normal approximation --------
wil_ranked as (

    select study_id, window_start, window_end, car,
        rank() over (partition by study_id, window_start, window_end order by abs(car))
            + (count(*) over (partition by study_id, window_start, window_end, abs(car)) - 1) / 2.0
            as rnk,
        count(*) over (partition by study_id, window_start, window_end, abs(car)) as tie_size
    from car where car <> 0

),

wilcoxon as (

    select study_id, window_start, window_end,
        sum(case when car > 0 then rnk else 0 end) as w_plus,
        count(*) as n_nonzero,
        sum((tie_size * tie_size * tie_size - tie_size) / tie_size) as tie_term
    from wil_ranked group by all

),

stats as (

    select
        cs.study_id,
        cs.window_start,
        cs.window_end,
        cs.n_pairs,
        cs.caar,
        cs.caar / (cs.sd_car / sqrt(cs.n_pairs)) as cs_t_stat,
        cs.caar / (sqrt(cs.window_end - cs.window_start + 1.0) * bw.sd_aar) as bw_t_stat,
        bw.n_aar_days,
        cs.sum_scar / sqrt(cs.patell_var) as patell_z,
        cs.mean_scar / (cs.sd_scar / sqrt(cs.n_pairs)) as bmp_t_stat,
        kp.mean_corr,
        rw.rank_z,
        (cs.n_positive - cs.n_pairs * sp.p_positive)
            / sqrt(cs.n_pairs * sp.p_positive * (1 - sp.p_positive)) as gen_sign_z,
        wx.w_plus as wilcoxon_stat,
        (wx.w_plus - wx.n_nonzero * (wx.n_nonzero + 1) / 4.0)
            / sqrt(wx.n_nonzero * (wx.n_nonzero + 1) * (2 * wx.n_nonzero + 1) / 24.0
                - wx.tie_term / 48.0) as wilcoxon_z
    from cross_section as cs
    left join bw on cs.study_id = bw.study_id
    left join kp_corr as kp on cs.study_id = kp.study_id
    left join rank_window as rw
        on cs.study_id = rw.study_id and cs.window_start = rw.window_start
        and cs.window_end = rw.window_end
    left join sign_p as sp on cs.study_id = sp.study_id
    left join wilcoxon as wx
        on cs.study_id = wx.study_id and cs.window_start = wx.window_start
        and cs.window_end = wx.window_end

),

guarded as (

    select
        * replace (
            case when n_pairs >= 2 and isfinite(cs_t_stat) then cs_t_stat end as cs_t_stat,
            case when isfinite(bw_t_stat) then bw_t_stat end as bw_t_stat,
            case when isfinite(patell_z) then patell_z end as patell_z,
            case when n_pairs >= 2 and isfinite(bmp_t_stat) then bmp_t_stat end as bmp_t_stat,
            case when isfinite(rank_z) then rank_z end as rank_z,
            case when isfinite(gen_sign_z) then gen_sign_z end as gen_sign_z,
            case when isfinite(wilcoxon_z) then wilcoxon_z end as wilcoxon_z
        ),
        case when n_pairs >= 2 and isfinite(bmp_t_stat)
            and isfinite(sqrt((1 - mean_corr) / (1 + (n_pairs - 1) * mean_corr)))
            then bmp_t_stat * sqrt((1 - mean_corr) / (1 + (n_pairs - 1) * mean_corr))
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
    normal_two_sided_p(wilcoxon_z) as wilcoxon_p_value
from guarded
