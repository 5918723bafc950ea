"""The web app's pages under /app: sign-in, members, a member's care plan, work lists."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as NotFoundPage
from werkzeug.http import HTTP_STATUS_CODES

from adapter import clock
from adapter.errors import AdapterError, Conflict, NotFound
from adapter.mapping.ids import resource_id
from adapter.webapp import actions, labels, lists, offers, session, staff
from adapter.webapp.access import patient_id_of
from adapter.webapp.audit import record_web_access
from adapter.webapp.careplan import care_plan, today
from adapter.webapp.context import (
    may_update,
    patient_from_token,
    token_for,
    user,
    viewer,
    web,
    write_gate,
)
from adapter.webapp.lists import ListQuery
from adapter.webapp.members import plan_directory, plan_member_id, read_patient
from adapter.webapp.users import password_matches

log = logging.getLogger(__name__)
webapp = Blueprint(
    "webapp", __name__, template_folder="templates", static_folder="static", url_prefix="/app"
)
PUBLIC_ENDPOINTS = ("webapp.sign_in", "webapp.static")
# Browsers and proxies must not keep pages with member data; scripts and frames are not used.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


@webapp.before_request
def _signed_in_user() -> Response | None:
    name = session.current_user_name(web().settings.webapp_session_minutes)
    g.web_user = web().user(name)
    if request.method == "POST":
        session.check_csrf()
    if g.web_user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect(url_for("webapp.sign_in"))
    return None


@webapp.after_request
def _security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


@webapp.context_processor
def _page_globals() -> dict[str, Any]:
    return {
        "csrf_token": session.csrf_token,
        "signed_in": g.get("web_user"),
        "token_for": token_for,
        "today": today(),
    }


@webapp.get("/")
def home() -> Response:
    return redirect(url_for("webapp.work_list"))


@webapp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    context = web()
    if request.method == "GET":
        return _sign_in_page()
    name = request.form.get("user", "")
    dev_user = context.dev_users.get(name)
    if dev_user is not None and "dev" in request.form:
        session.sign_in(dev_user.name)
        return redirect(url_for("webapp.work_list"))
    return _password_sign_in(name)


def _password_sign_in(name: str) -> Any:
    """A users-file sign-in, refused while the account or the address is locked out."""
    throttle, address = web().throttle, request.remote_addr or "unknown"
    locked = throttle.lockout(name, address)
    if locked is None:
        known = web().users.get(name)
        if password_matches(known, request.form.get("password", "")) and known is not None:
            throttle.succeeded(name)
            session.sign_in(known.name)
            return redirect(url_for("webapp.work_list"))
        locked = throttle.failed(name, address)
    if locked is None:
        return _sign_in_page(error="The user name or password is not right."), 401
    log.warning("web sign-in paused for an %s after repeated failures", locked.scope)
    page = _sign_in_page(error=locked.message)
    return page, 429, {"Retry-After": str(locked.seconds_left)}


def _sign_in_page(error: str | None = None) -> str:
    context = web()
    return render_template(
        "sign_in.html",
        dev_users=list(context.dev_users.values()),
        has_users=bool(context.users),
        error=error,
    )


@webapp.post("/sign-out")
def sign_out() -> Response:
    session.sign_out()
    flash("You are signed out.")
    return redirect(url_for("webapp.sign_in"))


@webapp.get("/members")
def members() -> str:
    """Search, filter, sort and page the user's caseload (or, for supervisors, everyone)."""
    index, person = web().index(), viewer()
    query = ListQuery.from_args(request.args, person)
    page = lists.member_page(index, person, query, clock.today())
    return render_template(
        "members.html",
        page=page,
        query=query,
        choices=lists.filter_choices(index),
        sorts=lists.MEMBER_SORTS,
        statuses=lists.MEMBER_STATUSES,
        supervisor=person.is_supervisor,
    )


@webapp.get("/work")
def work_list() -> str:
    """Open offers and open service Tasks of the user's caseload, overdue first."""
    index, person = web().index(), viewer()
    query = ListQuery.from_args(request.args, person)
    services_query = replace(query, page=_page_number(request.args.get("spage")))
    choices, today = lists.filter_choices(index), clock.today()
    members = lists.members_in_scope(index, person, query, today.isoformat())
    return render_template(
        "work.html",
        offers=lists.work_page(index, person, query, today, "offer", members),
        services=lists.work_page(index, person, services_query, today, "service", members),
        query=query,
        choices=choices,
        statuses=[*choices["offer_statuses"], *choices["service_statuses"]],
        sorts=lists.WORK_SORTS,
        supervisor=person.is_supervisor,
    )


def _page_number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


@webapp.get("/members/<token>")
def member(token: str) -> Any:
    patient_id = _patient_or_404(token)
    record_web_access("read", patient_id, 200)
    return _member_page(patient_id, token)


def _member_page(patient_id: str, token: str, errors: list[Any] | None = None) -> Any:
    try:
        plan = care_plan(web().store, patient_id, may_update)
    except NotFound:
        abort(404)
    vendors = _vendors(plan.member_id)
    page = render_template(
        "member.html",
        plan=plan,
        token=token,
        errors=errors,
        vendors=vendors,
        may_offer=_may_make_offers(),
        service_types=sorted(
            labels.displays().get("ltss-service-type", {}).items(), key=lambda kv: kv[1]
        ),
    )
    return page, 422 if errors else 200


def _vendors(member_id: str) -> list[tuple[str, str]]:
    directory = plan_directory(web().store, member_id)
    return [(v["vendor_id"], v["name"]) for v in directory.get("vendors") or []]


@webapp.post("/members/<token>/offers")
def record_offer_decision(token: str) -> Any:
    patient_id = _patient_or_404(token)
    done = "The member's decision is recorded."
    return _apply(patient_id, token, "offers", actions.offer_decision, done)


@webapp.post("/members/<token>/services")
def update_service(token: str) -> Any:
    patient_id = _patient_or_404(token)
    vendor_ids = {v for v, _ in _vendors(_member_id(patient_id))}

    def item(record: dict[str, Any], form: Any) -> dict[str, Any]:
        return actions.service_update(record, form, vendor_ids)

    return _apply(patient_id, token, "service_recommendations", item, "The service is updated.")


@webapp.route("/members/<token>/offers/new", methods=["GET", "POST"])
def new_offer(token: str) -> Any:
    """CHOICE-TWO: the CC offers an LTS-C, two proposed from the directory."""
    patient_id = _patient_or_404(token)
    if not _may_make_offers():
        abort(403)
    member_id = _member_id(patient_id)
    plan = care_plan(web().store, patient_id, lambda _task: False)
    record = web().service.member_record(member_id)
    due = next((o.trigger_codes[0] for o in plan.offers if o.open and not o.offer_id), None)
    form = offers.offer_form(
        record, plan_directory(web().store, member_id), clock.today(), due or "AVAIL-REQUEST"
    )
    if request.method == "GET":
        return _offer_page(plan, token, form, selected=form.proposed)
    try:
        item = actions.new_offer(request.form, form.cbo_of)
        _write(patient_id, member_id, "offers", item)
    except AdapterError as error:
        selected = request.form.getlist("choices")
        return _offer_page(plan, token, form, selected, error.issues), 422
    flash("The offer is recorded. Record the member's decision below when they make it.")
    return redirect(url_for("webapp.member", token=token) + "#offers")


def _may_make_offers() -> bool:
    """Offers are the plan's: its CCs make them (the offer Tasks are theirs)."""
    person = user()
    return person.org_kind == "plan" and web().policy.allows(person.principal, "update", "Task")


def _offer_page(
    plan: Any, token: str, form: Any, selected: list[str], errors: list[Any] | None = None
) -> str:
    return render_template(
        "new_offer.html",
        plan=plan,
        token=token,
        form=form,
        selected=selected,
        values=request.form if request.method == "POST" else {},
        triggers=offers.trigger_choices(),
        shortfalls=offers.shortfall_choices(),
        errors=errors,
        link_errors=True,
    )


@webapp.post("/members/<token>/alternatives")
def record_alternative(token: str) -> Any:
    """DENIED-ALT: the alternative found for a denied service, sent for authorization."""
    patient_id = _patient_or_404(token)
    service_types = labels.displays().get("ltss-service-type", {})

    def item(record: dict[str, Any], form: Any) -> dict[str, Any]:
        return actions.alternative_found(record, form, user().staff_id, service_types)

    done = "The alternative is recorded and sent for authorization."
    return _apply(patient_id, token, "service_recommendations", item, done)


@webapp.route("/members/<token>/notify", methods=["GET", "POST"])
def notify(token: str) -> Any:
    patient_id = _patient_or_404(token)
    plan = care_plan(web().store, patient_id, lambda _task: False)
    recipients = plan.notification_recipients(user().staff_id)
    if request.method == "GET" or not recipients:
        return render_template("notify.html", plan=plan, token=token, form={}, to=recipients)
    try:
        event = actions.status_event(request.form, user().staff_id)
        _write(patient_id, plan.member_id, "status_events", event)
    except AdapterError as error:
        page = render_template(
            "notify.html",
            plan=plan,
            token=token,
            form=request.form,
            to=recipients,
            errors=error.issues,
            link_errors=True,
        )
        return page, 422
    flash("Your notification is sent to the care team.")
    return redirect(url_for("webapp.member", token=token) + "#notifications")


def _apply(patient_id: str, token: str, kind: str, build: Any, done: str) -> Any:
    """Check the user may update the form's Task, build the event from the form, write, PRG."""
    if not _form_task_updatable(patient_id):
        abort(403)
    member_id = _member_id(patient_id)
    try:
        record = web().service.member_record(member_id)
        _write(patient_id, member_id, kind, build(record, request.form))
    except AdapterError as error:
        return _member_page(patient_id, token, errors=error.issues)
    flash(done)
    return redirect(url_for("webapp.member", token=token) + "#" + kind.replace("_", "-"))


def _form_task_updatable(patient_id: str) -> bool:
    """The Task the form acts on is this member's and this user may update it."""
    task_id = request.form.get("task_id", "")
    if not task_id:
        return False
    try:
        task = web().store.read("Task", task_id).resource
    except AdapterError:
        return False
    return patient_id_of(task) == patient_id and may_update(task)


def _write(patient_id: str, member_id: str, kind: str, item: dict[str, Any]) -> None:
    """The member service's write (rules, mapping, validation, store, outbox), then audit."""
    status = 200
    try:
        with write_gate():
            web().service.apply_event(member_id, kind, item)
    except Conflict:
        status = 409
        message = "Someone else changed this member's record; reload and try again"
        raise Conflict(message) from None
    except AdapterError as error:
        status = error.http_status
        raise
    finally:
        record_web_access("update", patient_id, status)
    # Care teams and consents may have changed: compartments are recomputed on next use.
    web().policy.forget()
    web().compartments.clear()


def _member_id(patient_id: str) -> str:
    patient = read_patient(web().store, patient_id)
    member_id = plan_member_id(patient) if patient else None
    if member_id is None:
        abort(404)
    return member_id


def _patient_or_404(token: str) -> str:
    patient_id = patient_from_token(token)
    if patient_id is None:
        abort(404)
    return patient_id


@webapp.route("/me", methods=["GET", "POST"])
def my_details() -> Any:
    """CONTACT, STAFFING: the signed-in coordinator's own contact details and time off."""
    plans = staff.own_entries(web().store, user().staff_id)
    if request.method == "GET" or not plans:
        return render_template("me.html", entry=plans[0].entry if plans else None, form=None)
    status = 200
    try:
        entry = staff.updated_entry(plans[0].entry, plans[0].list_name, request.form)
        with write_gate():
            for plan in plans:
                staff.publish(web().service, plan, entry)
    except AdapterError as error:
        status = error.http_status
        return _my_details_with_errors(plans[0].entry, error), status
    finally:
        record_web_access(
            "update", resource_id("role", user().staff_id), status, "PractitionerRole"
        )
    web().policy.forget()
    web().compartments.clear()
    flash("Your contact details are updated on every care team you are on.")
    return redirect(url_for("webapp.my_details"))


def _my_details_with_errors(entry: dict[str, Any], error: AdapterError) -> str:
    return render_template(
        "me.html", entry=entry, form=request.form, errors=error.issues, link_errors=True
    )


@webapp.route("/<path:_rest>", methods=["GET", "POST"])
def unknown_page(_rest: str) -> Response:
    abort(404)


@webapp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    page = render_template("error.html", code=code, title=error.name, text=error.description)
    return page, code


@webapp.errorhandler(AdapterError)
def _adapter_error(error: AdapterError) -> tuple[str, int]:
    if error.http_status == 404:
        return _http_error(NotFoundPage())
    code = error.http_status
    page = render_template(
        "error.html", code=code, title=HTTP_STATUS_CODES[code], text=error.message
    )
    return page, code


@webapp.errorhandler(Exception)
def _unexpected_error(_error: Exception) -> tuple[str, int]:
    # The traceback goes to the server log; the page says only that the request failed.
    log.exception("web app request failed")
    text = "The request could not be completed. Reload the page to see what was saved."
    return render_template("error.html", code=500, title="Something went wrong", text=text), 500
