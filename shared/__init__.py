"""Sodsong's common library: the event envelope, outbox/inbox, reliable handlers, DB, config, logging."""
