"""A choice's label as the public lists print it."""


def choice_label(choices, value):
    """The label of ``value`` among ``choices`` (a ``TextChoices`` class) in the reader's
    language, as text; a value no longer among the choices shows as stored, as
    ``get_FOO_display()`` shows it.

    Django's ``get_FOO_display()`` finds the label by translating every label of the field
    (it hashes the lazy labels into a dict), which a public list would pay on every row.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
