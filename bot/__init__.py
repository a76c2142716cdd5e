"""paperbot's platform-neutral core: config, store, sources, topics, summaries, digests, Q&A."""
