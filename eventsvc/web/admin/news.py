"""Admin pages for news items: list, write, publish and delete."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from eventsvc.config import site_timezone
from eventsvc.extensions import db
from eventsvc.forms.news import NewsForm, news_form_data
from eventsvc.models import NewsItem
from eventsvc.security import form_keeps_input
from eventsvc.services.news import create_news, delete_news, set_news_published, update_news
from eventsvc.web.admin import bp, render_form, requires

NEWS_PER_PAGE = 50


def _item_or_404(item_id: int) -> NewsItem:
    return db.get_or_404(NewsItem, item_id)


def _publishing() -> bool:
    """Whether "Save and publish now" was pressed: an undated item is then published now."""
    return request.form.get("publish") == "yes"


@bp.route("/news")
def news_list():
    # Drafts (no date) first, then the newest.
    statement = select(NewsItem).order_by(
        NewsItem.published_at.is_not(None), NewsItem.published_at.desc(), NewsItem.id.desc()
    )
    page = db.paginate(statement, per_page=NEWS_PER_PAGE, max_per_page=NEWS_PER_PAGE)
    return render_template("admin/news/list.html", page=page)


@bp.route("/news/new", methods=["GET", "POST"])
@form_keeps_input
def news_new():
    form = NewsForm(site_zone=site_timezone())
    if form.validate_on_submit():
        item = create_news(form.to_fields(publish_now=_publishing()))
        flash(gettext("Saved “%(title)s”.", title=item.title))
        return redirect(url_for(".news_list"))
    return render_form("admin/news/form.html", form=form, item=None)


@bp.route("/news/<int:item_id>/edit", methods=["GET", "POST"])
@form_keeps_input
def news_edit(item_id: int):
    item = _item_or_404(item_id)
    zone_name = site_timezone()
    form = NewsForm(data=news_form_data(item, zone_name), site_zone=zone_name)
    if form.validate_on_submit():
        update_news(item, form.to_fields(publish_now=_publishing()))
        flash(gettext("Saved “%(title)s”.", title=item.title))
        return redirect(url_for(".news_list"))
    return render_form("admin/news/form.html", form=form, item=item)


@bp.route("/news/<int:item_id>/publish", methods=["POST"])
def news_publish(item_id: int):
    item = set_news_published(_item_or_404(item_id), published=True)
    flash(gettext("“%(title)s” is published.", title=item.title))
    return redirect(url_for(".news_list"))


@bp.route("/news/<int:item_id>/unpublish", methods=["POST"])
def news_unpublish(item_id: int):
    item = set_news_published(_item_or_404(item_id), published=False)
    flash(gettext("“%(title)s” is a draft again.", title=item.title))
    return redirect(url_for(".news_list"))


@bp.route("/news/<int:item_id>/delete", methods=["GET", "POST"])
@requires("delete")
def news_delete(item_id: int):
    item = _item_or_404(item_id)
    if request.method == "POST":
        delete_news(item)
        flash(gettext("Deleted “%(title)s”.", title=item.title))
        return redirect(url_for(".news_list"))
    return render_template(
        "admin/confirm_delete.html",
        question=gettext("Delete the news item “%(title)s”?", title=item.title),
        action=url_for(".news_delete", item_id=item.id),
        back=url_for(".news_list"),
    )
