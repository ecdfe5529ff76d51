"""Blueprints by audience: public, auth, admin (and later feeds and api)."""
