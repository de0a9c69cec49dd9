"""The audit trail of every read, write, print and export of case data."""
