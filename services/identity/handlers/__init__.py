"""Identity's use cases, one async function each, grouped by area."""
