{{ es_day_sums('odd') }}
