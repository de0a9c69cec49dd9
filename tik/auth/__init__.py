"""Users, login, roles and the access policy (who may see which case)."""
