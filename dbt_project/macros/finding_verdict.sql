{#- The verdict of a finding, the only place verdict words are written:
      inconclusive    no data (has_data false or null), or the right direction without passing;
      not supported   the effect has the wrong direction or clearly misses the claimed level;
      supported       the effect has the claimed direction and passes the test or threshold;
      coincided with  the same for a causal claim ('triggered', 'lifted'): the data show the move
                      at the time, no test here shows the cause.
    claim_kind is a SQL expression ('causal' or 'descriptive', from seed finding_parameters). -#}
{% macro finding_verdict(has_data, right_direction, passes, claim_kind) -%}
    case
        when not coalesce({{ has_data }}, false) then 'inconclusive'
        when not coalesce({{ right_direction }}, false) then 'not supported'
        when coalesce({{ passes }}, false) and {{ claim_kind }} = 'causal' then 'coincided with'
        when coalesce({{ passes }}, false) then 'supported'
        else 'inconclusive'
    end
{%- endmacro %}
