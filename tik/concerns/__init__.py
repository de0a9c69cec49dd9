"""Registering a concern (bekymring): the child, what was seen, signals, urgency."""
