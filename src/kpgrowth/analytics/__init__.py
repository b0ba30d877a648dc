"""Growth analytics: pure functions over Ibis tables returning Result objects."""
