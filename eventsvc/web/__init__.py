"""Blueprints by audience: public, auth, feeds, admin and the JSON API."""
