"""A case's whole life after the work: closing, reopening, the archive print, retention, the family's right of
access (GDPR Art. 15) and restriction (Art. 18)."""
