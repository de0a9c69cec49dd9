"""`make bench`: TIK under gunicorn on scale data, SQLite then PostgreSQL, measured as ratios in one run."""
