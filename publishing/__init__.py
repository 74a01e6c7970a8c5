"""Publishing the warehouse for readers: the atomic read copy and its Parquet exports."""
