"""WTForms, one module per area, all on one CSRF-enabled base form."""

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError


class BaseForm(FlaskForm):
    """Every form: CSRF-protected, and refusing NUL characters in any text."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                field.errors = [*field.errors, "Remove the invisible NUL character"]
                valid = False
        return valid


__all__ = ["BaseForm", "ValidationError"]
