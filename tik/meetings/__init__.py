"""Teams and meetings: the interdisciplinary team, network meetings, agendas, minutes and decisions."""
