"""Notifications as a library both notify and intake use, so neither imports the other.

- channels/: one interface (`Channel.send(OutboundMessage)`), one attempt per send: file, email (SMTP), webhook,
  LINE, SMS.
- messages.py + templates/: bilingual Jinja2 templates, each declaring exactly the context it may receive.
- ledger.py: the delivery state machine on a table of either service: pending → sending → sent | failed (retried
  with backoff) → dead after the attempt limit; claims, due deliveries, operator retries.

notify sends what offices, staff and operators are told; intake alone sends what tipsters and volunteers are told,
because only intake knows who they are and how to reach them.
"""
