"""Follow-ups: what happens to a paper after it was posted, said in its thread."""
