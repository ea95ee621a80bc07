"""Forms of the public pages (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from aduan.services.sla.working_calendar import STATES
from aduan.vocabulary import PriorityGroup, TicketType
from channels.phones import normalise_phone

# Deliberately simple (no extra dependency): one @, a dot in the domain, no spaces.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ComplaintForm(FlaskForm):
    form_id = HiddenField()
    type = SelectField(_l("Type"), validators=[DataRequired()])
    category = SelectField(
        _l("Category"), coerce=int, validators=[InputRequired(_l("Choose a category."))]
    )
    description = TextAreaField(
        _l("Describe the matter"),
        validators=[
            DataRequired(_l("Describe the matter.")),
            Length(min=10, max=5000, message=_l("Between 10 and 5000 characters, please.")),
        ],
    )
    state = SelectField(_l("State"), validators=[DataRequired(_l("Choose a state."))])
    district = StringField(_l("District or area"), validators=[Optional(), Length(max=100)])
    latitude = FloatField(
        _l("Latitude (optional)"),
        validators=[Optional(), NumberRange(-90, 90, message=_l("Between -90 and 90."))],
    )
    longitude = FloatField(
        _l("Longitude (optional)"),
        validators=[Optional(), NumberRange(-180, 180, message=_l("Between -180 and 180."))],
    )
    attachments = MultipleFileField(_l("Photos or documents (optional)"))
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Mobile phone (optional)"), validators=[Optional(), Length(max=20)])
    email = StringField(
        _l("E-mail (optional)"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter a valid e-mail.")),
        ],
    )
    priority_group = SelectField(_l("Priority group (optional)"), validators=[Optional()])
    website = StringField(_l("Leave this field empty"))  # honeypot

    def fill_choices(self, categories, locale: str) -> None:
        self.type.choices = [(t.value, t.label(locale)) for t in TicketType]
        self.category.choices = [(-1, _l("Choose…"))] + [(c.id, c.name(locale)) for c in categories]
        self.state.choices = [("", _l("Choose…"))] + [
            (code, name) for code, (_abbrev, name) in STATES.items()
        ]
        self.priority_group.choices = [("", _l("None"))] + [
            (p.value, p.label(locale)) for p in PriorityGroup
        ]

    def validate_category(self, field) -> None:
        if field.data == -1:
            raise ValidationError(_l("Choose a category."))

    def validate_phone(self, field) -> None:
        if not field.data:
            return
        try:
            field.data = normalise_phone(field.data)
        except Exception:
            raise ValidationError(_l("Enter a Malaysian mobile number, e.g. 012-345 6789."))
        if not field.data.startswith("+"):
            raise ValidationError(_l("Enter a Malaysian mobile number, e.g. 012-345 6789."))


class LookupForm(FlaskForm):
    reference = StringField(
        _l("Reference number"), validators=[DataRequired(_l("Enter the reference number."))]
    )
    answer = StringField(
        _l("Last 4 digits of your phone, last 4 letters before @ in your e-mail, or your PIN"),
        validators=[Optional(), Length(max=12)],
    )
    code = StringField(_l("One-time code"), validators=[Optional(), Length(max=12)])


class CodeRequestForm(FlaskForm):
    reference = StringField(
        _l("Reference number"), validators=[DataRequired(_l("Enter the reference number."))]
    )


class ReplyForm(FlaskForm):
    form_id = HiddenField()
    text = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Write a message.")), Length(max=5000)],
    )


RATING_CHOICES = [
    (1, _l("Very poor")),
    (2, _l("Poor")),
    (3, _l("Fair")),
    (4, _l("Good")),
    (5, _l("Excellent")),
]


class SurveyForm(FlaskForm):
    # Five labelled choices (as a counter's smiley buttons), not a number box.
    rating = RadioField(
        _l("Rating (1 = very poor, 5 = excellent)"),
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(_l("Choose a rating."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


class ObjectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you not satisfied?"),
        validators=[DataRequired(_l("Give a reason.")), Length(max=2000)],
    )
