{{ es_day_sums('even') }}
