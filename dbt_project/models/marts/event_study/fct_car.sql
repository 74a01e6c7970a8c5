-- Cumulative abnormal return of each included pair over each event window of its study: its
-- estimation unit's CAR (int_es_unit_cars, where n_days and V_CAR are explained).
select
    s.study_id,
    s.event_id,
    s.asset_id,
    cast(u.window_start as integer) as window_start,
    cast(u.window_end as integer) as window_end,
    cast(u.n_days as integer) as n_days,
    u.car,
    u.car_t_stat,
    u.car_p_value,
    u.bhar
from {{ ref('int_es_pair_status') }} as s
inner join {{ ref('int_es_unit_cars') }} as u on s.window_id = u.window_id
where s.reason is null
