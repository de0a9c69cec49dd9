"""The young person's own door: anonymous conversations with a return code, answered by the youth service."""
