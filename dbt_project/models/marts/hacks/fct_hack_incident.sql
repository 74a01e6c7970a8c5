-- One row per real-world hack incident, reconciled across the five hack sources. The rules
-- (matching, amount, date, time, attributes) are documented in int_hack_incidents.
select * from {{ ref('int_hack_incidents') }}
