"""Sign-in for staff (Flask-Login), setting a password by one-time link, account administration.

Municipalities never see these pages; staff reach them through the footer's sign-in link.
A login session is the account id plus its session version, so changing the password,
the role or "log out everywhere" ends every other session at its next request.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from advisor import jobs, mail
from advisor.db import db
from advisor.web import absolute_url, safe_next

from . import forms, services, totp
from . import jobs as account_jobs
from .models import LinkPurpose, Role, User

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()


def role_required(*roles: Role):
    """Only signed-in accounts with one of ``roles`` (others: sign in, or 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def account_link_url(token: str) -> str:
    """The absolute one-time link to set a password (in a request, a job or the command line)."""
    return absolute_url("accounts.set_password", token=token)


def _mail_link(user: User, purpose: LinkPurpose) -> None:
    """Mail a one-time link once this request has committed (the job creates the link)."""
    actor = current_user.id if current_user.is_authenticated else None
    arguments = (user.id, purpose.value, actor)
    jobs.after_commit(
        db.session,
        lambda: jobs.submit(
            account_jobs.MAIL_JOB, *arguments, job_id=f"mail-{user.id}-{time.time_ns()}", timeout=60
        ),
    )


def _start_session(user: User) -> None:
    """A fresh session for the account: nothing of the anonymous one carries over but the language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail address and password."""
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            target = safe_next(request.args.get("next"), url_for(".account"))
            if user.totp_sealed:  # even if it cannot be unsealed: fail closed, never skip it
                # The password was right; the sign-in completes with a code (within 5 minutes).
                session["second_factor"] = {"ref": user.get_id(), "until": time.time() + 300, "next": target}
                return redirect(url_for(".login_code"), code=303)
            services.signed_in(db.session, user)
            _start_session(user)
            return redirect(target, code=303)
        # 200, not 401: the request commits, and with it the record of the failed attempt.
        return render_template("accounts/login.html", form=form, failed=True)
    return render_template("accounts/login.html", form=form, failed=False), 422 if form.errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in: a code from the authenticator app."""
    pending = session.get("second_factor")
    user = services.load(db.session, pending.get("ref", "")) if isinstance(pending, dict) else None
    if user is None or not user.totp_sealed or pending.get("until", 0) < time.time():
        session.pop("second_factor", None)
        flash(_("Please sign in again."), "error")
        return redirect(url_for(".login"), code=303)
    form = forms.CodeForm()
    if form.validate_on_submit():
        if services.check_second_factor(db.session, user, form.code.data):
            services.signed_in(db.session, user, second_factor=True)
            target = safe_next(pending.get("next"), url_for(".account"))
            _start_session(user)
            return redirect(target, code=303)
        form.code.errors.append(
            _("This code is not right, or it was used already. Please enter the current one.")
        )
        # 200: the failed attempt is recorded (the request commits).
    return render_template("accounts/login_code.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def second_factor():
    """Set up (or switch off) the second factor with an authenticator app."""
    user = current_user._get_current_object()
    if user.role not in totp.ROLES:
        abort(404)
    form = forms.CodeForm()
    enabled = user.totp_sealed is not None
    if not enabled:
        secret = session.get("totp_pending")
        if not isinstance(secret, str) or len(secret) != 32:
            secret = session["totp_pending"] = totp.new_secret()
        if form.validate_on_submit():
            if services.enable_second_factor(db.session, user, secret, form.code.data):
                session.pop("totp_pending", None)
                _start_session(user)
                flash(_("The second factor is on. From now on, signing in asks for a code."), "success")
                return redirect(url_for(".account"), code=303)
            form.code.errors.append(_("This code is not right. Please enter the one your app shows now."))
        qr = totp.qr_svg(secret, user.email, _("QR code to set up the authenticator app"))
        return render_template(
            "accounts/second_factor.html", form=form, enabled=False, secret=secret, qr=qr
        ), 422 if form.errors else 200
    if form.validate_on_submit():
        if services.check_second_factor(db.session, user, form.code.data):
            services.disable_second_factor(db.session, user, user)
            _start_session(user)
            flash(_("The second factor is off."), "success")
            return redirect(url_for(".account"), code=303)
        form.code.errors.append(
            _("This code is not right, or it was used already. Please enter the current one.")
        )
    return render_template("accounts/second_factor.html", form=form, enabled=True)


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a one-time link by e-mail (when this installation sends mail)."""
    if not mail.configured():
        return render_template("accounts/forgot.html", form=None)
    form = forms.ForgotForm()
    if form.validate_on_submit():
        user = services.by_email(db.session, form.email.data)
        if user is not None and user.active:
            _mail_link(user, LinkPurpose.RESET)
        # The same answer whether the address has an account or not.
        flash(
            _("If an account exists for this address, a one-time link to set a new password is on its way."),
            "success",
        )
        return redirect(url_for(".login"), code=303)
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    """End this session."""
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash(_("You have been signed out."), "success")
    return redirect(url_for("assessments.index"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's own account: role, last sign-in, log out everywhere."""
    form = forms.ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        user = current_user._get_current_object()
        services.end_sessions(db.session, user)
        _start_session(user)  # this browser stays signed in, with the new version
        flash(_("All other sessions of your account have been ended."), "success")
        return redirect(url_for(".account"), code=303)
    return render_template(
        "accounts/account.html",
        form=form,
        details_form=forms.DetailsForm(formdata=None, obj=current_user),
        role_names=forms.ROLE_NAMES,
    )


@bp.post("/account/details")
@login_required
def details():
    """Change one's name and organisation (shown on the cover of the reports one owns)."""
    details_form = forms.DetailsForm()
    if not details_form.validate_on_submit():
        return render_template(
            "accounts/account.html",
            form=forms.ActionForm(),
            details_form=details_form,
            role_names=forms.ROLE_NAMES,
        ), 422
    services.update_details(
        db.session, current_user._get_current_object(), details_form.name.data, details_form.organisation.data
    )
    flash(_("Your name and organisation have been saved."), "success")
    return redirect(url_for(".account"), code=303)


@bp.route("/account/link/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Set the password through a one-time link (invitation or reset)."""
    link = services.valid_link(db.session, token)
    if link is None:
        return render_template("accounts/link_invalid.html"), 404
    user = db.session.get(User, link.user_id)
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, link, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(exc.message)
        else:
            _start_session(user)
            flash(_("Your password has been set. You are signed in."), "success")
            return redirect(url_for(".account"), code=303)
    status = 422 if form.errors else 200
    invitation = link.purpose is LinkPurpose.INVITATION
    return render_template("accounts/set_password.html", form=form, user=user, invitation=invitation), status


# -- administration -------------------------------------------------------------------------


@bp.route("/admin/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users():
    """All accounts; invite a new one (its one-time link is shown once)."""
    form = forms.InviteForm()
    new_link = None
    if request.method == "POST" and form.validate_on_submit():
        mailed = mail.configured()
        try:
            user, token = services.create_user(
                db.session,
                form.email.data,
                Role(form.role.data),
                form.name.data or "",
                current_user._get_current_object(),
                with_link=not mailed,
            )
        except services.AccountError as exc:
            form.email.errors.append(exc.message)
        else:
            if mailed:
                _mail_link(user, LinkPurpose.INVITATION)
                flash(
                    _("An invitation with a one-time link has been sent to %(email)s.", email=user.email),
                    "success",
                )
                return redirect(url_for(".users"), code=303)
            new_link = (user, account_link_url(token))
            form = forms.InviteForm(formdata=None)
    status = 422 if form.errors else 200
    return render_template(
        "accounts/users.html",
        form=form,
        users=services.all_users(db.session),
        events=services.recent_events(db.session, 30),
        new_link=new_link,
        role_names=forms.ROLE_NAMES,
        event_names=forms.EVENT_NAMES,
        role_form=forms.RoleForm(formdata=None),
        action_form=forms.ActionForm(),
    ), status


def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/admin/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    """Give an account another role."""
    user, form = _target(user_id), forms.RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_role(db.session, user, Role(form.role.data), current_user._get_current_object())
    except services.AccountError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".users"), code=303)
    flash(_("The role of %(email)s has been changed.", email=user.email), "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/admin/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def toggle_active(user_id: int):
    """Deactivate or reactivate an account."""
    user = _target(user_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        services.set_active(db.session, user, not user.active, current_user._get_current_object())
    except services.AccountError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".users"), code=303)
    message = _("%(email)s can sign in again.") if user.active else _("%(email)s has been deactivated.")
    flash(message % {"email": user.email}, "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/admin/users/<int:user_id>/delete")
@role_required(Role.ADMIN)
def delete_user(user_id: int):
    """Delete a deactivated account with its links; its events stay, without the reference."""
    user = _target(user_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_user(db.session, user, current_user._get_current_object())
    except services.AccountError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".users"), code=303)
    flash(_("The account %(email)s has been deleted.", email=user.email), "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/admin/users/<int:user_id>/second-factor")
@role_required(Role.ADMIN)
def reset_second_factor(user_id: int):
    """Switch off the second factor of someone who lost their device."""
    user = _target(user_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.disable_second_factor(db.session, user, current_user._get_current_object())
    flash(_("The second factor of %(email)s is off; they can set it up again.", email=user.email), "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/admin/users/<int:user_id>/reset")
@role_required(Role.ADMIN)
def reset_link(user_id: int):
    """A new one-time link for an account that forgot its password (shown once)."""
    user = _target(user_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(_("%(email)s is deactivated: reactivate the account first.", email=user.email), "error")
        return redirect(url_for(".users"), code=303)
    if mail.configured():
        _mail_link(user, LinkPurpose.RESET)
        flash(
            _("A one-time link to set a new password has been sent to %(email)s.", email=user.email),
            "success",
        )
        return redirect(url_for(".users"), code=303)
    token = services.issue_link(db.session, user, LinkPurpose.RESET, current_user._get_current_object())
    return render_template(
        "accounts/link_issued.html",
        user=user,
        link=account_link_url(token),
        hours=int(services.LINK_VALIDITY.total_seconds() // 3600),
    )


def init_app(app: Flask) -> None:
    """Flask-Login: sessions refer to "id:version"; pages for staff send others to sign in."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the sign-in page explains itself
    login_manager.session_protection = None  # the session version does this, across devices

    @login_manager.user_loader
    def _load(reference: str) -> User | None:
        return services.load(db.session, reference)

    app.register_blueprint(bp)
