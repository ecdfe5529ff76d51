"""Admin pages for API tokens: staff list and revoke their own; admins see every token."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from eventsvc.extensions import db
from eventsvc.forms.tokens import NewTokenForm
from eventsvc.models import ApiToken
from eventsvc.services.tokens import (
    TokenError,
    can_manage,
    issue_token,
    revoke_token,
    token_state,
    visible_tokens,
)
from eventsvc.web.admin import bp


def _tokens_page(form: NewTokenForm, status: int = 200):
    page = render_template(
        "admin/tokens/list.html",
        form=form,
        tokens=visible_tokens(current_user),
        state_of=token_state,
    )
    return page, status


@bp.route("/tokens")
def tokens_list():
    return _tokens_page(NewTokenForm(formdata=None))


@bp.route("/tokens", methods=["POST"])
def tokens_create():
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            token, value = issue_token(
                current_user, form.name.data, form.scope.data, form.expires.data
            )
        except TokenError as error:
            form.name.errors.append(str(error))
        else:
            page = render_template("admin/tokens/created.html", token=token, value=value)
            return page, 200, {"Cache-Control": "no-store"}  # the value is shown this once
    return _tokens_page(form, status=400)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def tokens_revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not can_manage(current_user, token):
        abort(404)
    revoke_token(token)
    flash(gettext("The token “%(name)s” is revoked: it no longer works.", name=token.name))
    return redirect(url_for(".tokens_list"))
