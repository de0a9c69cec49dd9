"""The coordinated plan (handlingsplan): measures across services, revisions, the PDF."""
