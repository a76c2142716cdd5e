"""Small loopback fakes of the HTTP services paperbot talks to, reused across tests."""
