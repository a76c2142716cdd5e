"""Paper sources: arXiv RSS and API, bioRxiv/medRxiv API, and any RSS/Atom journal feed."""
