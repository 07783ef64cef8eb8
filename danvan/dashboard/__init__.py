"""Home page: what is due, late, and waiting for me. Features contribute panels."""
