"""A fleet of campuses sized together, training work moving between them."""
