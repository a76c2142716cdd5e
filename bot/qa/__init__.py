"""Questions about a paper, answered from its full text: fetch, cache, retrieve, answer."""
