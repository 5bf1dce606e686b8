"""The page in a real browser (headless Chromium from the system's packages): it loads, an edit
updates the headline to ``ftrag-mc run``'s numbers for that edit, a bad edit shows the command
line's message beside its field, the link carries the view, the TOML download runs, and a
screenshot is a page, not a blank.

Without the browser the tests are skipped on a developer's machine, and fail in CI (``CI`` set):
``.ci/run`` installs it."""

from __future__ import annotations

import io
import os
import time
import tomllib

import pytest

from app_harness import ROOT, SUPPORT, browser_missing, chrome, quit_chrome, start_app

MISSING = browser_missing()
if MISSING and os.environ.get("CI"):
    pytest.fail(f"CI must run the browser tests: {MISSING}", pytrace=False)
# A real browser: seconds per page; the slow run (CI) holds them, and there they must run.
pytestmark = [pytest.mark.skipif(MISSING is not None, reason=MISSING or ""), pytest.mark.slow]

SAMPLES = 3000
GROWTH = "k_volume_growth_per_month_mode"
VOLUME = "k_volume_queries_per_month"


@pytest.fixture(scope="module")
def app():
    running = start_app()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    driver = chrome(download_dir=str(downloads))
    yield driver
    quit_chrome(driver)


def _wait(condition, timeout_s: float = 120, what: str = "the page"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # not there yet (stale or missing element)
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _headline(driver) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.ID, "headline-text")
    return element.get_attribute("data-request"), element.text


def _type(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
    field.clear()
    field.send_keys(text + Keys.ENTER)


def _opened(app, driver, *, edited: bool = False) -> tuple[str, str]:
    """The page as each test needs it, whichever test ran before in this browser (xdist may give a
    worker any of them): opened, and with ``edited`` the growth's mode set to 0.03 (its link then
    carries the edit); its headline."""
    if not driver.current_url.startswith(app.url) or "challenger=" in driver.current_url:
        driver.get(f"{app.url}?samples={SAMPLES}")
    shown = _wait(lambda: _headline(driver), what="a headline")
    if edited and "set=volume.growth_per_month.mode%3D0.03" not in driver.current_url:
        _type(driver, GROWTH, "0.03")
        _wait(lambda: "set=volume.growth_per_month.mode%3D0.03" in driver.current_url, what="the edit's link")
        shown = _wait(lambda: (h := _headline(driver))[0] != shown[0] and h, what="the edited headline")
    return shown


def _run_headline(overrides: tuple[str, ...], out, samples: int = SAMPLES) -> str:
    """The first line ``ftrag-mc run`` prints for the scenario with ``overrides``, the page's
    samples and its seed (the file's)."""
    from click.testing import CliRunner

    from ftrag_mc.cli import main

    args = ["run", str(ROOT / SUPPORT), "--samples", str(samples), "--seed", "2026", "--out", str(out)]
    for text in overrides:
        args += ["--set", text]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


def test_an_edit_updates_the_headline_to_run_s_numbers(app, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(f"{app.url}?samples={SAMPLES}")
    before, text = _wait(lambda: _headline(browser), what="the first headline")
    assert text == _run_headline((), tmp_path / "first")
    _wait(lambda: browser.find_element(By.ID, "breakdown-chart-img"), what="the rest of the page")

    _type(browser, GROWTH, "0.03")
    after, text = _wait(lambda: (h := _headline(browser))[0] != before and h, what="the edited headline")
    assert text == _run_headline(("volume.growth_per_month.mode=0.03",), tmp_path / "edited")
    assert "set=volume.growth_per_month.mode%3D0.03" in browser.current_url
    assert browser.find_element(By.ID, "main-chart-img").get_attribute("src").startswith("data:image/svg+xml;base64,")


def test_a_bad_edit_shows_the_cli_message_beside_its_field(app, browser):
    from selenium.webdriver.common.by import By

    shown = _opened(app, browser)
    _type(browser, VOLUME, "lots")
    # (clearing the field may first show the empty value's own message: wait for the edit's)
    expected = f"{SUPPORT}: volume.queries_per_month (from --set): expected a number, got a string"
    message = _wait(lambda: (text := browser.find_element(By.ID, f"{VOLUME}-error").text) == expected and text,
                    what="the field's error")
    assert message == expected
    assert _headline(browser) == shown, "the last valid view stays"
    _type(browser, VOLUME, "250000")
    _wait(lambda: not browser.find_element(By.ID, f"{VOLUME}-error").text, what="the error to clear")


def test_the_link_opens_the_same_view_and_the_toml_runs(app, browser, downloads, runner, tmp_path):
    from selenium.webdriver.common.by import By

    from ftrag_mc.cli import main

    shown = _opened(app, browser, edited=True)
    link = browser.current_url
    assert "set=volume.growth_per_month.mode%3D0.03" in link
    browser.get("about:blank")
    browser.get(link)
    assert _wait(lambda: _headline(browser), what="the shared view") == shown
    assert browser.find_element(By.ID, GROWTH).get_attribute("value") == "0.03"

    browser.find_element(By.ID, "download_toml").click()
    path = _wait(lambda: next(iter(downloads.glob("*.toml")), None), what="the TOML download")
    text = _wait(lambda: path.read_text() if path.stat().st_size else None, what="the whole TOML")
    table = tomllib.loads(text)
    assert table["volume"]["growth_per_month"]["mode"] == 0.03 and table["simulation"]["samples"] == SAMPLES
    assert "# article" in text, "the file's comments are kept"
    edited = tmp_path / "support-classifier.toml"
    edited.write_text(text)
    result = runner.invoke(main, ["run", str(edited), "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0 and result.output.splitlines()[0] == shown[1]


def test_a_screenshot_is_a_page_not_a_blank(app, browser, tmp_path):
    from PIL import Image

    _opened(app, browser)
    png = browser.get_screenshot_as_png()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "more than a few colours"
    white = sum(n for n, rgb in colours if rgb == (255, 255, 255))
    assert white < 0.9 * image.width * image.height, "not all white"


def test_a_challenger_picked_travels_in_the_link(app, browser):
    """Picking a challenger shows it against the baseline; the address bar then carries it, and the
    link opens the same view with the same pick."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    shown = _opened(app, browser)
    Select(browser.find_element(By.ID, "challenger")).select_by_value("prompted_cached")
    picked = _wait(lambda: (h := _headline(browser))[0] != shown[0] and h, what="the challenger's headline")
    assert picked[1].startswith("Few-shot prompt, cached against ")
    link = _wait(lambda: "challenger=prompted_cached" in browser.current_url and browser.current_url,
                 what="the link to carry the challenger")
    browser.get("about:blank")
    browser.get(link)
    assert _wait(lambda: _headline(browser), what="the shared view") == picked
    chosen = Select(browser.find_element(By.ID, "challenger")).first_selected_option.get_attribute("value")
    assert chosen == "prompted_cached"
