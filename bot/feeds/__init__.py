"""Each channel's delivered papers as a private Atom feed and a JSON Feed (jsonfeed.org 1.1)."""
