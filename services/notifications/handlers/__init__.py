"""The notifications service's use cases: one async function each, one unit of work each."""
