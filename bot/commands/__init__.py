"""The command grammar every platform shares, and the handlers behind it."""
