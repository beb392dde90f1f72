"""Settings and shared infrastructure (database engine, Redis connection), read from the environment."""
