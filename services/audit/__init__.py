"""The audit service: the hash-chained trail of every event and staff action; the log store."""
