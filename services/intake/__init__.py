from services.intake import messages  # noqa: F401  (registers the service's messages with shared.i18n)
