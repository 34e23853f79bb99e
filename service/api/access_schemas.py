"""Shapes of restricting a case, opening one for a reason, and finding earlier cases."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from workflows.matching import KINDS

from .schemas import LanguageQuerySchema

_REASON = fields.String(
    required=True,
    validate=validate.Length(max=5000),
    metadata={"description": "why, in words: at least 10 characters with at least three letters"},
)


class RestrictionBodySchema(Schema):
    reason = _REASON
    users = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={
            "description": "the usernames who may read the case and work its tasks; the "
            "restricting user is named too"
        },
    )


class RestrictionSchema(Schema):
    case_id = fields.String()
    reason = fields.String()
    users = fields.List(fields.String())
    restricted_by = fields.String()
    restricted_at = fields.DateTime()


class CaseAccessBodySchema(Schema):
    reason = _REASON


class CaseAccessSchema(Schema):
    id = fields.Integer()
    case_id = fields.String()
    user = fields.String()
    reason = fields.String()
    granted_at = fields.DateTime()
    expires_at = fields.DateTime(metadata={"description": "the case can be read until then"})


class MatchQuerySchema(LanguageQuerySchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    date_of_birth = fields.String(
        validate=validate.Length(min=1, max=10), metadata={"description": "YYYY-MM-DD"}
    )
    phone = fields.String(validate=validate.Length(min=1, max=40))
    storm_reference = fields.String(validate=validate.Length(min=1, max=40))

    @validates_schema
    def _at_least_one(self, data, **_kwargs):
        if not any(kind in data for kind in KINDS):
            raise ValidationError(f"give at least one of {', '.join(KINDS)}", "name")


class MatchSchema(Schema):
    case_id = fields.String(metadata={"description": "the case's reference"})
    process_id = fields.String()
    process_name = fields.String(metadata={"description": "in the caller's language"})
    status = fields.String()
    started_at = fields.DateTime()
    restricted = fields.Boolean(metadata={"description": "restricted cases cannot be opened"})
    matched_on = fields.List(
        fields.String(validate=validate.OneOf(KINDS)),
        metadata={"description": "which of the values given the case holds"},
    )


class AccessOpeningQuerySchema(Schema):
    user = fields.String(validate=validate.Length(max=200))
    case = fields.String(validate=validate.Length(max=36))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
