"""The handbook in the browser: the guide, its tools and the service directory. No personal data."""
