"""A channel's seed library: references read from chat or reference-manager exports, looked up."""
