"""The Clock's plan content (task kinds, phase rule, timeline matrix) and its schema."""
