"""Credit-hour claims (学时登记, seeds 000 §4 and 002): six routes, a yearly cap per route, two reviews."""
