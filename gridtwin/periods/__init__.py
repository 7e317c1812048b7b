"""Investment periods: a campus built in phases, its supply built as it grows."""
