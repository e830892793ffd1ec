"""/embed/<chart>: one chart alone (title, source line, link back, no navbar), frameable by other sites; every other
page may not be framed (issue 19, item 8). Browser tests: `pytest --headless`.

Expected numbers from the sample plans (data/plans/): Ихтиман 2020, home-based capacity 100 + 5 + 123 = 228
(ihtiman-2020.txt lines 28, 39, 40)."""

from __future__ import annotations

from dashboard import db
from tests.helpers import until

from .test_browser_pages import dash_app, open_page, traces  # noqa: F401


def test_only_embed_pages_may_be_framed(sample_db):
    import app

    db.set_database(sample_db)
    client = app.server.test_client()
    embed = client.get("/embed/capacity-by-group?municipality=Ихтиман&dim=setting")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    for path in ["/", "/capacity", "/data", "/download/capacity-by-group.csv", "/_dash-layout", "/nowhere"]:
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path


def test_embed_page_draws_the_chart_alone_with_a_way_back(dash_duo, dash_app):  # noqa: F811
    query = "?municipality=Ихтиман&dim=setting"
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/embed/capacity-by-group" + query)
    data = until(dash_duo, lambda: traces(dash_duo, "embed-graph"))
    assert [t["name"] for t in data] == ["Ихтиман 2020"]
    assert dict(zip(data[0]["y"], data[0]["x"], strict=True))["В домашна среда"] == 228
    assert not dash_duo.find_elements(".navbar") and not dash_duo.find_elements("#filters-municipality")
    title = dash_duo.driver.execute_script(
        "return document.querySelector('#embed-graph .js-plotly-plot').layout.title.text;")
    assert title == "Капацитет по среда"
    assert "Източник:" in dash_duo.find_element("#embed-page").text
    back = dash_duo.find_element("#embed-back").get_attribute("href")
    assert back.endswith("/capacity?municipality=%D0%98%D1%85%D1%82%D0%B8%D0%BC%D0%B0%D0%BD&dim=setting&combine=compare")

    # the page in a frame of another document: it is drawn there (the server allows it)
    dash_duo.driver.execute_script(
        "const f = document.createElement('iframe'); f.id = 'probe'; f.src = arguments[0];"
        "f.width = 900; f.height = 600; document.body.appendChild(f);", dash_duo.server_url + "/embed/capacity-di")
    dash_duo.driver.switch_to.frame("probe")
    until(dash_duo, lambda: dash_duo.driver.find_elements("css selector", "#embed-graph .js-plotly-plot"), timeout=15)
    dash_duo.driver.switch_to.default_content()


def test_the_embed_button_gives_the_iframe_code_of_the_view(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, "/funding?municipality=Ихтиман")
    dash_duo.driver.find_element(
        "css selector", "button[id*='\"chart\":\"funding-mix\"'][id*='embed-button']").click()
    code = until(dash_duo, lambda: dash_duo.driver.find_element(
        "css selector", "textarea[id*='\"chart\":\"funding-mix\"']").get_attribute("value"))
    assert code.startswith('<iframe src="' + dash_duo.server_url + "/embed/funding-mix?municipality=")
    assert "measure=services" in code and 'title="' in code
    src = code.split('"')[1].replace("&amp;", "&")
    dash_duo.wait_for_page(src)
    data = until(dash_duo, lambda: traces(dash_duo, "embed-graph"))
    assert {t["y"][0] for t in data} == {"Ихтиман 2020"}
