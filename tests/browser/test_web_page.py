"""The try-on page in a real headless Chromium (Debian's chromium + chromedriver) against live gateways."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from helpers import CHROMIUM, live_gateway, require, serve_app, tshirt_png
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from fittingroom.gateway import web
from fittingroom.gateway.errors import error_body
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON
from fittingroom.gateway.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "out" / "test-artifacts"
# Root in a container: no sandbox; no GPU; and nothing that phones home while the tests run.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage")
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
MAX_UPLOAD_BYTES = 3_000_000  # the three sample images together are 1.5 MB
TRYON_TIMEOUT_S = 90  # a design try-on takes ~2 s on the embedded backend; the machine is shared
API_KEY = "shop-key-0123456789"


def gateway_settings(repository: Path, state: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "model_repository": repository, "ort_threads": 1, "max_upload_bytes": MAX_UPLOAD_BYTES,
        "database_url": f"sqlite:///{state / 'tryon.db'}", "blob_dir": state / "blobs"}
    return Settings(**(values | extra))


@pytest.fixture(scope="module")
def gateway(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real gateway, embedded backend over model_repository/, no API keys (loopback)."""
    state = tmp_path_factory.mktemp("gateway")
    with live_gateway(gateway_settings(repository, state)) as url:
        yield url


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    require(CHROMIUM)
    browser_binary, driver_binary = CHROMIUM.files
    options = Options()
    options.binary_location = browser_binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    # Performance log: the network events, to read the gateway's answer as the browser got it.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(driver_binary))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def desktop(driver: WebDriver) -> WebDriver:
    viewport(driver, DESKTOP)
    for kind in ("browser", "performance"):  # start each test with empty logs
        driver.get_log(kind)
    return driver


def viewport(driver: WebDriver, metrics: Mapping[str, object]) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", dict(metrics))
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": bool(metrics["mobile"])})


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(f"{url}/")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def element(driver: WebDriver, element_id: str) -> WebElement:
    return driver.find_element(By.ID, element_id)


def choose_design(driver: WebDriver, person: Path = SAMPLE_PERSON) -> None:
    element(driver, "person").send_keys(str(person))
    element(driver, "content").send_keys(str(SAMPLE_CONTENT))
    element(driver, "style").send_keys(str(SAMPLE_ARTWORK))


def wait_for_outcome(driver: WebDriver) -> None:
    """Until the page shows a result or an error (and is no longer busy)."""
    WebDriverWait(driver, TRYON_TIMEOUT_S).until(
        lambda d: (element(d, "result").is_displayed() or element(d, "error").is_displayed())
        and element(d, "submit").is_enabled())


def tab_to(driver: WebDriver, element_id: str, limit: int = 40) -> None:
    """Press Tab until `element_id` has the focus: proves it is reachable by keyboard alone."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.id") == element_id:
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"#{element_id} not reached with {limit} presses of Tab")


def press(driver: WebDriver, key: str, times: int = 1) -> None:
    for _ in range(times):
        ActionChains(driver).send_keys(key).perform()


def response_body(driver: WebDriver, path: str) -> str:
    """The body of the last response to `path`, as the browser received it (from the performance log)."""
    request_id = None
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.responseReceived" and message["params"]["response"]["url"].endswith(path):
            request_id = message["params"]["requestId"]
    assert request_id, f"the browser made no request to {path}"
    body: str = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})["body"]
    return body


def displayed_pixels(driver: WebDriver) -> np.ndarray:
    """The result <img> as the browser decoded it, read back through a canvas."""
    encoded, width, height = driver.execute_script("""
        const img = document.getElementById("result-image");
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let text = "";
        for (let i = 0; i < rgba.length; i += 4) text += String.fromCharCode(rgba[i], rgba[i + 1], rgba[i + 2]);
        return [btoa(text), canvas.width, canvas.height];
    """)
    return np.frombuffer(base64.b64decode(encoded), np.uint8).reshape(height, width, 3)


def screenshot(driver: WebDriver, name: str) -> Path:
    """The whole page, beyond the viewport too, as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")  # the result panel is sticky: it follows the scroll
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def no_horizontal_scroll(driver: WebDriver) -> bool:
    return bool(driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_page_and_assets_are_served_with_their_types(gateway: str) -> None:
    with httpx.Client(base_url=gateway) as http:
        page = http.get("/")
        assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        for name, media_type in (("app.js", "text/javascript; charset=utf-8"),
                                 ("style.css", "text/css; charset=utf-8"), ("icon.svg", "image/svg+xml")):
            asset = http.get(f"/static/{name}")
            assert asset.status_code == 200 and asset.headers["content-type"] == media_type, name
        # No listing and no way out of the folder: only the page's own files answer.
        for path in ("/static/", "/static", "/static/index.html", "/static/..%2Fweb.py", "/static/%2e%2e/app.py"):
            answer = http.get(path)
            assert answer.status_code in (404, 405) and "error" in answer.json(), path
    # No CDN: every address in the page is one of the gateway's own.
    addresses = re.findall(r'(?:src|href)="([^"]*)"', (web.STATIC / "index.html").read_text())
    assert addresses and all(a.startswith(("/static/", "#")) for a in addresses), addresses


def test_upload_shows_the_result_beside_the_original(desktop: WebDriver, gateway: str) -> None:
    open_page(desktop, gateway)
    assert element(desktop, "empty").is_displayed() and not element(desktop, "result").is_displayed()
    choose_design(desktop)
    WebDriverWait(desktop, 10).until(lambda d: element(d, "person-preview").is_displayed())
    element(desktop, "submit").click()
    wait_for_outcome(desktop)
    assert not element(desktop, "error").is_displayed(), element(desktop, "error").text
    assert element(desktop, "result-image").is_displayed() and element(desktop, "original-image").is_displayed()

    # What the gateway sent, decoded here: a valid PNG the size of the shopper's photo.
    answer = json.loads(response_body(desktop, "/v1/tryon/design"))
    data = base64.b64decode(answer["image"])
    Image.open(io.BytesIO(data)).verify()
    result = Image.open(io.BytesIO(data))
    person = Image.open(SAMPLE_PERSON)
    assert result.format == "PNG" and result.size == person.size == (answer["width"], answer["height"])
    # What the page shows is that very image, at its natural size...
    natural = desktop.execute_script(
        "const i = document.getElementById('result-image'); return [i.complete, i.naturalWidth, i.naturalHeight]")
    assert natural == [True, *person.size]
    shown = displayed_pixels(desktop)
    assert np.abs(shown.astype(int) - np.asarray(result.convert("RGB"), int)).mean() < 0.5
    # ...beside the original, with the timings and model versions of this answer.
    assert desktop.execute_script("return document.getElementById('original-image').naturalWidth") == person.size[0]
    stages = element(desktop, "timings").text.lower()
    assert all(stage.replace("_", " ") in stages for stage in answer["timings_ms"]), stages
    models = element(desktop, "models").text
    assert all(f"{name} {use['version']} trained" in models for name, use in answer["models"].items()), models
    assert element(desktop, "untrained").is_displayed() == bool(answer["untrained_models"])
    assert f"{person.size[0]} \N{MULTIPLICATION SIGN} {person.size[1]}" in element(desktop, "status").text
    # The page loaded nothing from elsewhere and broke no policy: the console is clean.
    assert [e for e in desktop.get_log("browser") if e["level"] == "SEVERE"] == []

    # A click on the picture moves the divider there: at 20 %, most of the result shows (the screenshot).
    compare = element(desktop, "compare")
    ActionChains(desktop).move_to_element_with_offset(compare, -0.3 * compare.rect["width"], 0).click().perform()
    assert abs(int(element(desktop, "compare-slider").get_attribute("value") or -1) - 20) <= 2
    screenshot(desktop, "web-page.png")


def test_a_text_file_named_jpg_shows_not_an_image(desktop: WebDriver, gateway: str, tmp_path: Path) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is a text file, not a photo\n")
    open_page(desktop, gateway)
    choose_design(desktop, person=fake)
    element(desktop, "submit").click()
    wait_for_outcome(desktop)
    error = element(desktop, "error")
    assert error.is_displayed() and error.get_attribute("role") == "alert"
    message = element(desktop, "error-message").text
    assert "not an image we can read (your photo)" in message
    assert element(desktop, "person-error").text == message  # repeated under the field, which has the focus
    assert "'person'" in element(desktop, "error-detail").text  # the server's own words, for support
    assert element(desktop, "person").get_attribute("aria-invalid") == "true"
    assert desktop.execute_script("return document.activeElement.id") == "person"
    assert not element(desktop, "result").is_displayed()
    screenshot(desktop, "web-page-error.png")


def test_too_large_upload_says_so(desktop: WebDriver, gateway: str, tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (1100, 1100, 3), dtype=np.uint8)
    big = tmp_path / "big.png"
    Image.fromarray(noise).save(big, compress_level=0)
    assert big.stat().st_size > MAX_UPLOAD_BYTES
    open_page(desktop, gateway)
    choose_design(desktop, person=big)
    element(desktop, "submit").click()
    wait_for_outcome(desktop)
    assert "too large" in element(desktop, "error-message").text
    assert str(MAX_UPLOAD_BYTES) in element(desktop, "error-detail").text


def test_a_proxys_413_without_json_names_the_sizes_sent(desktop: WebDriver) -> None:
    proxy = FastAPI()
    proxy.include_router(web.router)  # the page, behind a proxy whose own size limit answers in HTML

    @proxy.post("/v1/tryon/design")
    async def refuse() -> HTMLResponse:
        return HTMLResponse("<html><body><h1>413 Request Entity Too Large</h1></body></html>", 413)

    with serve_app(proxy) as url:
        open_page(desktop, url)
        choose_design(desktop)
        element(desktop, "submit").click()
        wait_for_outcome(desktop)
        assert "too large" in element(desktop, "error-message").text
        detail = element(desktop, "error-detail").text
        assert detail.startswith("Sent: your photo: ") and " MB" in detail, detail


@pytest.mark.parametrize("status", [429, 503])
def test_busy_server_says_retry_later(desktop: WebDriver, status: int) -> None:
    busy = FastAPI()
    busy.include_router(web.router)  # the page itself, over a stub API that only refuses

    @busy.post("/v1/tryon/design")
    async def refuse() -> JSONResponse:
        return JSONResponse(error_body("overloaded", "too many try-ons in flight"), status,
                            headers={"Retry-After": "3"})

    with serve_app(busy) as url:
        open_page(desktop, url)
        choose_design(desktop)
        element(desktop, "submit").click()
        wait_for_outcome(desktop)
        assert element(desktop, "error-message").text == "The server is busy right now. Please try again in 3 seconds."


def test_keyboard_only_try_on_and_slider(desktop: WebDriver, gateway: str) -> None:
    open_page(desktop, gateway)
    choose_design(desktop)  # file dialogs are the OS's; everything else below is keys only
    tab_to(desktop, "garment-upper")
    # Arrows move through the radio group; the sample photo ends at the waist, so a dress (not trousers) fits it.
    press(desktop, Keys.ARROW_RIGHT, 2)
    assert element(desktop, "garment-dress").is_selected()
    tab_to(desktop, "opacity")
    press(desktop, Keys.ARROW_LEFT, 2)
    assert element(desktop, "opacity-value").text == "80%"
    tab_to(desktop, "submit")
    press(desktop, Keys.ENTER)
    wait_for_outcome(desktop)
    assert element(desktop, "result").is_displayed(), element(desktop, "error").text
    assert desktop.execute_script("return document.activeElement.id") == "result-title"

    tab_to(desktop, "compare-slider", limit=3)  # the slider comes right after the result's heading
    compare = element(desktop, "compare")
    assert compare.value_of_css_property("outline-style") == "solid"  # focus is visible

    def position() -> tuple[str | None, str, str]:
        slider = element(desktop, "compare-slider")
        pos = desktop.execute_script("return getComputedStyle(arguments[0]).getPropertyValue('--pos').trim()", compare)
        clip = element(desktop, "original-image").value_of_css_property("clip-path")
        return slider.get_attribute("value"), pos, clip

    start = position()
    assert start[:2] == ("50", "50%")
    press(desktop, Keys.ARROW_RIGHT, 5)
    moved = position()
    assert moved[:2] == ("55", "55%") and moved[2] != start[2]
    assert element(desktop, "compare-slider").get_attribute("aria-valuetext") == "55% before, 45% after"
    press(desktop, Keys.HOME)
    assert position()[:2] == ("0", "0%")
    press(desktop, Keys.END)
    assert position()[:2] == ("100", "100%")


def test_phone_viewport(driver: WebDriver, gateway: str) -> None:
    viewport(driver, PHONE)
    try:
        open_page(driver, gateway)
        assert driver.execute_script("return window.innerWidth") == PHONE["width"]
        assert no_horizontal_scroll(driver)
        camera = element(driver, "person-camera")  # on a touch screen the page offers the camera
        assert camera.is_displayed() and camera.get_attribute("capture") == "user"
        for control in ("person", "content", "style", "opacity", "submit"):
            box = element(driver, control).rect
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
        choose_design(driver)
        element(driver, "submit").click()
        wait_for_outcome(driver)
        assert element(driver, "result").is_displayed(), element(driver, "error").text
        compare = element(driver, "compare").rect
        assert compare["x"] >= 0 and compare["x"] + compare["width"] <= PHONE["width"]
        assert compare["width"] > PHONE["width"] * 0.75  # the picture uses the phone's width
        assert no_horizontal_scroll(driver)
        screenshot(driver, "web-page-phone.png")
    finally:
        viewport(driver, DESKTOP)


def test_catalog_tab_and_api_key(driver: WebDriver, repository: Path, tmp_path: Path) -> None:
    """A gateway with keys: the catalog answers 401 (tab hidden) until the page has the key (tab shown)."""
    settings = gateway_settings(repository, tmp_path, api_keys=f"shop={API_KEY}")
    viewport(driver, DESKTOP)
    with live_gateway(settings) as url:
        registered = httpx.post(f"{url}/v1/garments", files={"image": ("shirt.png", tshirt_png(), "image/png")},
                                data={"category": "upper", "sku": "RED-TEE"}, headers={"X-API-Key": API_KEY},
                                timeout=60)
        assert registered.status_code == 201, registered.text
        open_page(driver, url)
        tabs = element(driver, "mode-tabs")
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(
            "return performance.getEntriesByName(location.origin + '/v1/garments').length > 0"))
        assert not tabs.is_displayed()

        choose_design(driver)  # without the key the try-on is refused, and the page says what to do
        element(driver, "submit").click()
        wait_for_outcome(driver)
        assert "API key" in element(driver, "error-message").text
        assert driver.execute_script("return document.activeElement.id") == "api-key"

        element(driver, "api-key").send_keys(API_KEY, Keys.TAB)  # leaving the field reloads the catalog
        WebDriverWait(driver, 10).until(lambda d: tabs.is_displayed())
        element(driver, "tab-design").click()
        press(driver, Keys.ARROW_RIGHT)  # tabs follow the WAI-ARIA pattern: arrows move between them
        assert driver.execute_script("return document.activeElement.id") == "tab-garment"
        assert element(driver, "panel-garment").is_displayed() and not element(driver, "panel-design").is_displayed()
        option = driver.find_element(By.CSS_SELECTOR, "#garment-list .garment-option label")
        WebDriverWait(driver, 10).until(lambda d: option.find_element(By.TAG_NAME, "img").is_displayed())
        assert "RED-TEE" in option.text
        assert driver.execute_script("return document.querySelector('#garment-list img').naturalWidth") == 320
        option.click()
        assert element(driver, "garment-upper").is_selected()  # the garment's category is taken over
        assert not element(driver, "opacity-field").is_displayed()
        screenshot(driver, "web-page-catalog.png")

        # The catalog garment on the shopper: garment mode through POST /v1/tryon, end to end.
        element(driver, "submit").click()
        wait_for_outcome(driver)
        assert not element(driver, "error").is_displayed(), element(driver, "error").text
        answer = json.loads(response_body(driver, "/v1/tryon"))
        assert answer["mode"] == "garment" and answer["path"] == "classical"
        assert driver.execute_script("return document.getElementById('result-image').naturalWidth") == answer["width"]
        assert "warp" in element(driver, "timings").text.lower()
