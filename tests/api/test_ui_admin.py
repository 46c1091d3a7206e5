"""The Amministrazione page as the Ufficio di Piano reads it."""
from __future__ import annotations

from tests.api.api_helpers import login_browser


def test_the_admin_page_names_the_tavoli_people_sit_at(app, cast):
    member = cast.member
    page = login_browser(app, cast.admin.email)[0].get("/amministrazione").get_data(as_text=True)
    row = page[page.index(f'id="persona-{member.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Tavolo Inclusione (membro)" in row
