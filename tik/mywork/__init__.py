"""My work: what each user should do today, reminders by e-mail, and a calendar file."""
