"""Routing's own exceptions: the jurisdiction data it is given cannot be used."""


class RulesError(ValueError):
    """The rules file is malformed (it cannot be loaded at all)."""


class DirectoryError(ValueError):
    """The agency directory or its override file is malformed."""


class AccusedDataError(ValueError):
    """The recognition list is malformed."""
