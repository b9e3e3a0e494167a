"""What the REST API and the dashboard share: server state and request dependencies, users,
roles and sessions, the security middleware, HTTP errors, audit log, serialisation of voices,
customer profiles and the insight cache.

``escucha.api`` (JSON routes) and ``escucha.web`` (pages) both build on this package and never
import each other; ``escucha.server.create_app`` composes them.
"""
