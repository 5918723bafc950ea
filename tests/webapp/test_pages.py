"""Every page is plain, labelled HTML: no scripts, one h1, a label for every field (WCAG 2.1)."""

from __future__ import annotations

import lxml.html
import pytest

from tests.webapp.conftest import CC, MBIL_LTSC, SUPERVISOR, member_link

FIELDS = "//input[not(@type='hidden')] | //select | //textarea"


def pages(client, user: str) -> list[str]:
    member = member_link(client, "Rose Joseph")
    found = [
        "/app/work", "/app/work?overdue=1&week=1&sort=status", "/app/members",
        "/app/members?q=joseph&rating=C3&sort=due", member, f"{member}/notify", "/app/me",
    ]  # fmt: skip
    return [*found, f"{member}/offers/new"] if user != MBIL_LTSC else found


@pytest.mark.parametrize("user", [CC, SUPERVISOR, MBIL_LTSC])
def test_pages_are_labelled_html_without_scripts(sign_in, user):
    client = sign_in(user)
    for path in pages(client, user):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert "script-src" not in response.headers["Content-Security-Policy"]
        doc = lxml.html.fromstring(response.data)
        assert doc.get("lang") == "en"
        assert doc.xpath("//script") == [], path
        assert len(doc.xpath("//h1")) == 1, path
        assert doc.xpath("//main[@id='main']") and doc.xpath("//a[@href='#main']")
        labelled = set(doc.xpath("//label/@for"))
        for field in doc.xpath(FIELDS):
            assert field.get("id") in labelled, f"{path}: {lxml.html.tostring(field)[:80]!r}"
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids)), f"{path}: duplicate ids"


def test_sign_in_page_is_labelled_html_without_scripts(app):
    doc = lxml.html.fromstring(app.test_client().get("/app/sign-in").data)
    assert doc.xpath("//script") == []
    assert [h.text_content() for h in doc.xpath("//h1")] == ["Sign in"]
