"""The stafettlogg: every change to a case is an entry on its timeline; describe.py says what each one means."""
