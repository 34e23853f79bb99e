"""API tokens: a user lists, issues and revokes their own; a holder of the ``administer`` grant
(the Administrator) lists and revokes anyone's. The secret is shown once, when the token is
issued."""

from datetime import datetime

from sqlalchemy import select

from ..auth import current_user, find_user, issue_token, revoke_token, token_status, tokens_of
from ..db import db
from ..models import ApiToken, User, utcnow
from ..problems import ApiProblem, not_found
from ..roles import holds_grant
from .blueprint import Blueprint
from .schemas import PROBLEM, IssueTokenSchema, NewTokenSchema, TokenQuerySchema, TokenSchema

blp = Blueprint("tokens", __name__, url_prefix="/tokens", description="API tokens")


@blp.get("")
@blp.arguments(TokenQuerySchema(), location="query")
@blp.response(200, TokenSchema(many=True))
@blp.alt_response(
    403, description="Another user's tokens, asked for by a non-Administrator", **PROBLEM
)
@blp.alt_response(404, description="No user of that name (Administrator)", **PROBLEM)
def list_tokens(query):
    """Your tokens, newest first, with their status; never their secrets.

    An Administrator lists another user's with `user=NAME`, or everyone's with `all=true`."""
    actor = current_user()
    name = query.get("user", actor.name)
    if (query["all"] or name != actor.name) and not holds_grant(actor, "administer"):
        raise ApiProblem(403, "Forbidden", "Only an Administrator can list other users' tokens.")
    user = None
    if not query["all"]:
        try:
            user = find_user(name)
        except LookupError as error:
            raise not_found("User", name) from error
    now = utcnow()
    return [token_view(token, now) for token in tokens_of(user)]


@blp.post("")
@blp.arguments(IssueTokenSchema())
@blp.response(201, NewTokenSchema)
def create_token(body):
    """Issue yourself a new token; its secret is in this answer only, so keep it now."""
    actor = current_user()
    token, secret = issue_token(db.session.get(User, actor.id), actor.name, body.get("name"))
    return {**token_view(token, utcnow()), "token": secret}


@blp.delete("/<id:token_id>")
@blp.response(200, TokenSchema)
@blp.alt_response(404, description="No such token among those you may revoke", **PROBLEM)
def delete_token(token_id: int):
    """Revoke one of your tokens (an Administrator: anyone's); it is refused from then on.

    Revoking a token already revoked changes nothing and answers the same."""
    actor = current_user()
    statement = select(ApiToken).where(ApiToken.id == token_id)
    if not holds_grant(actor, "administer"):
        statement = statement.where(ApiToken.user_id == actor.id)
    token = db.session.scalar(statement)
    if token is None:
        raise not_found("Token", token_id)
    revoke_token(token, actor.name)
    return token_view(token, utcnow())


def token_view(token: ApiToken, now: datetime) -> dict:
    return {
        "id": token.id,
        "user": token.user.name,
        "prefix": token.prefix,
        "name": token.name,
        "status": token_status(token, now),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }
