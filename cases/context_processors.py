from .selectors import answers_for_data_protection, staff_groups_of, user_sees_names


def staff_role(request):
    """The signed-in user's roles, for the page header."""
    return {
        "staff_roles": lambda: staff_groups_of(request.user),
        "can_search_pupils": lambda: user_sees_names(staff_groups_of(request.user)),
        "answers_for_data_protection": lambda: answers_for_data_protection(request.user),

    }
