"""The Matrix adapter: a matrix-nio client syncing with a homeserver; rooms are channels."""
