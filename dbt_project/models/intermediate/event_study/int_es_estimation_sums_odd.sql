{{ es_estimation_sums('odd') }}
