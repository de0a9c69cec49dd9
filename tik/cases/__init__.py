"""The case: its page, the guided steps, consent, participants, handover and the lists of cases."""
