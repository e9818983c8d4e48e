"""Notification templates: <name>.<language>.j2, each with subject, text and optional html blocks.

A package only so that the .j2 files ship with the code.
"""
