"""The stafettlogg: every change to a case is an entry on its timeline."""
