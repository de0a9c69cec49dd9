""""Min familie": the family's own page, for guardians and young people signed in with ID-porten."""
