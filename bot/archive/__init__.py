"""The archive: a channel's delivered digests loaded from the store and rendered as pages."""
