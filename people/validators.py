import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A mainland mobile number (11 digits from 13x to 19x) or a landline with its area code.
PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def normalise_phone(value):
    """Drop the spaces and the +86 country code people often type."""
    value = re.sub(r"[\s()]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(value):
    if not PHONE_PATTERN.match(normalise_phone(value)):
        raise ValidationError(
            _(
                "Enter a mobile number of 11 digits or a landline with its area code, e.g. 021-12345678."
            ),
            code="invalid_phone",
        )
