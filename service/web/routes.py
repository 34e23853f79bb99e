"""The pages: sign in and out, the inbox, and the language switch."""

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from workflows.diagram_functions import london_time

from ..audit.reads import log_read
from ..auth import choose_language
from ..commands import claim_task, unclaim_task
from ..inbox import InboxQuery, inbox_count, inbox_tasks
from ..messages import ClaimTask, UnclaimTask
from ..models import utcnow
from ..names import ShownNames
from ..passwords import signing_in
from ..problems import ApiProblem
from ..restrictions import may_start_cases
from ..roles import holds_grant, role_catalogue, role_working
from . import OIDC_EXTENSION, csrf
from .forms import ButtonForm, SignInForm
from .language import LANGUAGES, page_language
from .session import LANGUAGE, origin_of, safe_next, sign_in, sign_out, signed_in_actor

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)
# Pages a signed-out visitor may see.
OPEN_PAGES = {"web.sign_in", "web.language", "web.oidc_start", "web.oidc_callback"}
PAGE_SIZE = 50


@web.before_request
def protect():
    """Every page: the CSRF check on a POST, and a signed-in user, or a visit to the sign-in
    page that brings them back here afterwards. The pages' files are open to all and left out
    of the session: a style sheet answered late must not write back a cookie older than the
    page's own."""
    if request.endpoint == "web.static":
        return None
    if request.method == "POST":
        csrf.protect()
    actor = signed_in_actor()
    if actor is None and request.endpoint not in OPEN_PAGES:
        reason = getattr(g, "session_ended", None)
        if reason == "idle":
            flash(_("You were signed out because you had not used Gwarchod for a while."))
        return redirect(url_for("web.sign_in", next=_here()))
    return None


@web.after_app_request
def security_headers(response):
    """Every answer that is not the API's: pages, their files and error pages."""
    if request.path.startswith("/api/") or request.path == "/health":
        return response
    nonce = _nonce()
    # A page may allow exact style attributes by hash (the decision table editor, as
    # process_owner.dmn_styles says).
    styles = " ".join(("'self'", *g.get("style_sources", ())))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src {styles}; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        f"form-action 'self'{_provider_origin()}; "
        "base-uri 'none'; "
        "object-src 'none'; "
        "frame-ancestors 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "web.static":
        response.headers["Cache-Control"] = "no-store"  # a shared station keeps no case
    return response


def _provider_origin() -> str:
    """The force's identity provider, when there is one: signing out is a form sent here that
    goes on to the provider's sign-out (service.web.session.sign_out)."""
    if OIDC_EXTENSION not in current_app.extensions:
        return ""
    return " " + origin_of(current_app.config["OIDC_ISSUER"])


@web.app_context_processor
def page_context():
    actor = getattr(g, "actor", None)
    language = page_language()
    return {
        "csp_nonce": _nonce(),
        "language": language,
        "other_language": "cy" if language == "en" else "en",
        "signed_in": actor if "web" in request.blueprints else None,
        # Only its CSRF token is drawn: it reads nothing sent, so an error page about what
        # was sent (too large a form) can still be drawn.
        "button_form": ButtonForm(formdata=None),
        "idle_minutes": current_app.config["IDLE_MINUTES"],
        "may_assign": actor is not None and holds_grant(actor, "assign_tasks"),
        "may_audit": actor is not None and holds_grant(actor, "audit"),
        "may_model": actor is not None and holds_grant(actor, "deploy_definitions"),
        "may_report": actor is not None and holds_grant(actor, "reports"),
        "may_start": actor is not None and may_start_cases(actor),
        # The language switch comes back to the same page; one that answers the identity
        # provider's redirect cannot be visited twice, so from there it goes to sign in.
        "language_next": url_for("web.sign_in")
        if request.endpoint in ("web.oidc_start", "web.oidc_callback")
        else request.full_path.rstrip("?"),
    }


@web.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_page():
    form = SignInForm()
    next_page = safe_next(request.values.get("next"))
    if form.validate_on_submit():
        user = signing_in(form.username.data.strip(), form.password.data)
        if user is not None:
            sign_in(user)
            return redirect(next_page or url_for("web.inbox"))
        log_read(None, "session.sign_in.refused", actor_name=form.username.data.strip()[:200])
        g.sign_in_refused = True  # counted against the client's address (service.limits)
        form.password.errors = [_("The username or password is not right")]
    return render_template(
        "web/sign_in.html",
        form=form,
        next_page=next_page,
        force_sign_in=OIDC_EXTENSION in current_app.extensions,
    )


@web.route("/sign-out", methods=["GET", "POST"], endpoint="sign_out")
def sign_out_page():
    if request.method == "POST":
        at_provider = sign_out(g.actor)
        flash(_("You have signed out."))
        return redirect(at_provider or url_for("web.sign_in"))
    return render_template("web/sign_out.html")


@web.get("/")
def inbox():
    actor = g.actor
    language = page_language()
    lanes = sorted(role_catalogue().lanes_of(actor.role_names))
    lane = request.args.get("lane") or None
    if lane is not None and lane not in lanes:
        lane = None
    overdue = request.args.get("overdue") == "yes"
    page = _page_number(request.args.get("page"))
    query = InboxQuery(lane=lane, overdue=overdue, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = inbox_count(actor, query)
    tasks = inbox_tasks(actor, query)
    names = ShownNames(language).know_cases({task.case_id for task in tasks})
    now = utcnow()
    rows = [inbox_row(task, names, language, now, actor) for task in tasks]
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "web/inbox.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        lanes=[(each, role_working(each, language)) for each in lanes],
        lane=lane,
        overdue=overdue,
    )


@web.post("/tasks/<task_id>/claim")
def claim(task_id: str):
    return _assignment(task_id, claim_task, ClaimTask, _("You have claimed the task."))


@web.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str):
    return _assignment(task_id, unclaim_task, UnclaimTask, _("You have given the task back."))


@web.post("/session/keep")
def keep_session():
    """The idle warning's "Stay signed in": the session was seen now (``protect`` did it)."""
    return "", 204


@web.get("/language/<code>")
def language(code: str):
    """Switch the pages' language and go back to the page the switch was on."""
    if code not in LANGUAGES:
        abort(404)
    session[LANGUAGE] = code
    actor = signed_in_actor()
    if actor is not None:
        choose_language(actor.id, code)
    return redirect(safe_next(request.args.get("next")) or url_for("web.inbox"))


def _assignment(task_id, command, message_type, done: str):
    try:
        command(message_type(task_id, g.actor, page_language()))
    except ApiProblem as problem:
        flash(problem.detail, "error")
    else:
        flash(done)
    return redirect(safe_next(request.form.get("next")) or url_for("web.inbox"))


def due_state(due, now, language: str) -> tuple[str | None, int | None]:
    """How soon a task is due, for its tag: "overdue", "soon" (within the hour, with the
    minutes left), "today" (by London's calendar), or None."""
    if due is None:
        return None, None
    if due < now:
        return "overdue", None
    if due - now <= timedelta(hours=1):
        return "soon", max(1, -(-int((due - now).total_seconds()) // 60))
    if london_time(due, language).split(",")[0] == london_time(now, language).split(",")[0]:
        return "today", None
    return None, None


def inbox_row(task, names: ShownNames, language: str, now, actor) -> dict:
    due = task.due_at
    state, minutes = due_state(due, now, language)
    return {
        "task": task,
        "name": names.element(task.case_id, task.bpmn_id, task.name),
        "lane": role_working(task.lane, language) if task.lane else "",
        "due": london_time(due, language) if due else None,
        "state": state,
        "minutes": minutes,
        "mine": task.assignee_id == actor.id,
        "claimed_by": task.assignee.name if task.assignee is not None else None,
        "assigned_by": task.assigned_by.name if task.assigned_by is not None else None,
    }


def _nonce() -> str:
    """This answer's nonce for the scripts it may run inline (GOV.UK Frontend's one line)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


def _here() -> str:
    return request.full_path.rstrip("?") if request.query_string else request.path
