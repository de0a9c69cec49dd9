"""The case: its page, the guided steps, the timeline (stafettlogg), consent and handover."""
