from functools import cache

from .selectors import staff_groups_of, user_sees_names


def staff_role(request):
    """The signed-in user's roles, for the page header; read at most once a request."""

    @cache
    def roles():
        return staff_groups_of(request.user)

    return {
        "staff_roles": roles,
        "can_search_pupils": lambda: user_sees_names(roles()),
    }
