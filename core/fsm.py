"""django-fsm-2's state fields, lighter in the migrations' historical models.

Each ``FSMField`` connects a ``class_prepared`` receiver as it joins a model, and never lets
go. Migrations build each historical model again for every state they pass through, cloning
its fields: with a few dozen state fields the receivers pile up to thousands, each called for
every model built, and creating a database spent half its time there (about 9.6 million calls
for one ``migrate`` of this project). A historical model (Django builds them in the module
``__fake__``) needs none of what the receiver collects (transitions, the protected-field
descriptor), so there the field joins as the plain ``CharField`` it is underneath. Real models
are untouched.
"""

from django_fsm import FSMFieldMixin

_contribute_to_class = FSMFieldMixin.contribute_to_class


def _contribute_to_class_outside_migrations(self, cls, name, *args, **kwargs):
    if cls.__module__ == "__fake__":
        return super(FSMFieldMixin, self).contribute_to_class(cls, name, *args, **kwargs)
    return _contribute_to_class(self, cls, name, *args, **kwargs)


def lighten_historical_state_fields():
    """Called once from ``CoreConfig.ready`` (before any migration runs)."""
    if FSMFieldMixin.contribute_to_class is not _contribute_to_class_outside_migrations:
        FSMFieldMixin.contribute_to_class = _contribute_to_class_outside_migrations
