"""Platform adapters: each translates a platform to the core and renders the core's output."""
