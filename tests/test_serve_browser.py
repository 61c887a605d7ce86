"""``ledgerkit serve`` in a real headless Chromium (Debian's chromium and chromium-driver, selenium).

As a clerk uses it: open the printed address, choose a ledger (it uploads by itself), read the
figures, download both outputs, choose a broken file, a second version, the combined view. A
screenshot of each view goes to LEDGERKIT_SCREENSHOTS when set (docs/serve-*.png come from there).
Runs whenever chromium is installed; in CI (CI=true) a missing chromium is a failure, not a skip.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from conftest import SAMPLES, load_truth
from serving import start, stop

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MIDWAY = SAMPLES / "000" / "merged_midway.xlsx"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("CI: chromium and chromium-driver must be installed (.ci/run installs them)")
    pytest.skip(
        "chromium / chromium-driver not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser") / "收件"
    folder.mkdir()
    running, thread, client = start(folder)
    yield folder, running, client
    stop(running, thread)


@pytest.fixture(scope="module")
def browser(served):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ledgerkit-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=zh-CN"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    _folder, running, _client = served
    driver.get(running.address.url)  # the printed address: the token becomes a cookie
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shot(driver, name: str) -> Path:
    """A screenshot of the whole page (the viewport set to its height), kept when asked for."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    metrics = {"width": 1280, "height": min(max(height, 600), 3000), "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    target_dir = Path(os.environ.get("LEDGERKIT_SCREENSHOTS") or tempfile.gettempdir())
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"serve-{name}.png"
    try:
        assert driver.save_screenshot(str(path))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path


def choose(driver, path: Path) -> None:
    """Choose a file in the page's chooser: the page uploads it by itself (no button)."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))


def wait_for(driver, css: str, timeout: float = 120):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def figures(driver) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    return {
        e.get_attribute("data-figure"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-figure]")
    }


def test_home_has_the_chooser_and_no_token_in_the_address(browser, served):
    assert "token=" not in browser.current_url  # moved into the HttpOnly cookie
    assert browser.find_element("css selector", "input[type=file]")
    assert "全部台账" in browser.title + browser.page_source
    assert browser.execute_script("return document.cookie") == ""  # HttpOnly: no script sees it


def test_choosing_a_ledger_uploads_it_and_shows_its_figures(browser, served, tmp_path):
    _folder, running, client = served
    truth = load_truth(MIDWAY)
    set_as_of(browser, truth["as_of"])
    choose(browser, MIDWAY)
    wait_for(browser, "[data-figure=completion_rate]")
    got = figures(browser)
    assert got["completion_rate"] == "61.1%"
    assert got["issues"] == str(truth["issues"]) and got["issues_done"] == str(truth["issues_done"])
    assert got["measures"] == str(truth["measures"]) and got["measures_done"] == str(truth["measures_done"])
    assert got["overdue"] == str(truth["overdue"])
    assert set(got) == {
        "issues",
        "issues_done",
        "measures",
        "measures_done",
        "completion_rate",
        "overdue",
        "due_soon",
    }
    overdue_rows = browser.find_elements("css selector", "[data-overdue] tr[data-due]")
    assert len(overdue_rows) == truth["overdue"]
    shot(browser, "ledger")
    # Both downloads, fetched with the page's own cookie, open as a workbook and a document.
    import docx
    import openpyxl

    cookie = {"Cookie": f"ledgerkit_token={running.address.token}"}
    for kind in ("workbook", "notice"):
        href = browser.find_element("css selector", f"a[data-download={kind}]").get_attribute("href")
        answer = client.get(href.split(str(running.address.port), 1)[1], token=False, headers=cookie)
        assert answer.status == 200, kind
        if kind == "workbook":
            assert "整改台账" in openpyxl.load_workbook(io.BytesIO(answer.body)).sheetnames
        else:
            assert docx.Document(io.BytesIO(answer.body)).paragraphs


def test_a_broken_file_shows_its_sentence(browser, served, tmp_path):
    browser.get(served[1].address.base + "/")
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(MIDWAY.read_bytes()[:3000])  # a copy cut short
    choose(browser, broken)
    error = wait_for(browser, "[data-error]")
    assert "已损坏" in error.text or "不完整" in error.text
    assert "Traceback" not in browser.page_source
    shot(browser, "error")


def test_a_second_version_shows_what_changed(browser, served, tmp_path):
    from test_serve_http import second_version

    browser.get(served[1].address.base + "/")
    newer = second_version(MIDWAY, tmp_path / MIDWAY.name)
    set_as_of(browser, load_truth(MIDWAY)["as_of"])
    choose(browser, newer)
    changes = wait_for(browser, "[data-changes]")
    assert "完成" in changes.text
    assert (served[0] / MIDWAY.name).read_bytes() == MIDWAY.read_bytes()


def test_home_lists_the_ledgers_and_the_combined_view(browser, served):
    browser.get(served[1].address.base + "/")
    rows = browser.find_elements("css selector", "tr[data-ledger]")
    assert {r.get_attribute("data-ledger") for r in rows} >= {MIDWAY.name, "merged_midway（2）.xlsx"}
    assert "61.1%" in browser.page_source
    shot(browser, "home")
    browser.get(served[1].address.base + "/combined")
    wait_for(browser, "[data-combined]")
    units = browser.find_elements("css selector", "tr[data-unit]")
    assert [u.get_attribute("data-unit") for u in units] == ["开封市机关事务中心"]  # one unit, latest version
    assert browser.find_element("css selector", "a[data-download=workbook]")
    assert "较早版本" in browser.page_source
    shot(browser, "combined")


def test_the_drop_zone_uploads_a_dropped_file(browser, served):
    """A file dropped on the zone: the same upload as choosing it (the drop event's files)."""
    browser.get(served[1].address.base + "/")
    flat = SAMPLES / "000" / "flat.xlsx"
    # Selenium cannot drag from the desktop: the file goes into a scratch input, and a real
    # drop event carrying its files is dispatched on the zone.
    scratch = browser.execute_script(
        "var i=document.createElement('input');i.type='file';i.id='scratch';document.body.appendChild(i);return i;"
    )
    scratch.send_keys(str(flat))
    browser.execute_script(
        "var dt=new DataTransfer();dt.items.add(document.getElementById('scratch').files[0]);"
        "document.getElementById('drop').dispatchEvent(new DragEvent('drop',{dataTransfer:dt,bubbles:true,cancelable:true}));"
    )
    wait_for(browser, "[data-figure=issues]")
    assert "flat" in browser.page_source
    time.sleep(0)  # nothing else to wait for: the page is the ledger's


def set_as_of(driver, iso: str) -> None:
    """The 截至日期 as the date picker sets it (typing depends on the browser's locale)."""
    field = driver.find_element("css selector", "input[name=as_of]")
    driver.execute_script("arguments[0].value = arguments[1];", field, iso)
    assert field.get_attribute("value") == iso
