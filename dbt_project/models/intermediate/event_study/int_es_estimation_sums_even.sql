{{ es_estimation_sums('even') }}
