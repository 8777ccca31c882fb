from .support import office, wrong_users  # noqa: F401
