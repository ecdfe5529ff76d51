"""Who may do what (DESIGN §5): one table, enforced alike by the admin pages and the API.

Editors create and change events, news, organisations, people and registrations. Admins
also delete, manage staff accounts and every API token, find, export and erase a person's
data, and read the audit log. The admin's views say `requires(action)`
(web/admin/__init__.py) and the API's `staff(scope, action)` (web/api/auth.py); both ask
`may()`.
"""

PERMISSIONS = {
    "change": frozenset({"admin", "editor"}),
    "delete": frozenset({"admin"}),
    "manage_staff": frozenset({"admin"}),
    "manage_every_token": frozenset({"admin"}),
    "personal_data": frozenset({"admin"}),
    "audit": frozenset({"admin"}),
}


def may(user, action: str) -> bool:
    """Whether a staff account (anything with a `role`, or None) may do the action."""
    return getattr(user, "role", None) in PERMISSIONS[action]
