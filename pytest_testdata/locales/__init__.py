"""Locale data: countries, their locales and currencies."""
