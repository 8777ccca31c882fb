"""Admin menu entries shown only to those who may use what they open."""

from wagtail.admin.menu import MenuItem, SubmenuMenuItem


def _holds(user, permissions):
    return all(user.has_perm(permission) for permission in permissions)


class PermissionMenuItem(MenuItem):
    """A menu entry shown to users who hold every one of ``permissions``."""

    def __init__(self, *args, permissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = tuple(permissions)

    def is_shown(self, request):
        return _holds(request.user, self.permissions)


class PermissionSubmenuMenuItem(SubmenuMenuItem):
    """A submenu shown to users who hold every one of ``permissions``."""

    def __init__(self, *args, permissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = tuple(permissions)

    def is_shown(self, request):
        return _holds(request.user, self.permissions)
