"""Thin route modules: parse, call a service, return. ``ROUTERS`` lists them in mount order."""
