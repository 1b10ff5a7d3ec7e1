// The try-on page: collects the photo and the design, posts them to the gateway's JSON variant and shows the
// result over the original with a before/after slider, the per-stage timings and the model versions.
"use strict";

const DESIGN_URL = "/v1/tryon/design";
// The catalog (issue 6): the garment tab appears only when the list answers 200, i.e. where the catalog
// exists and the key (if the server needs one) is accepted. Its answer: {"items": [{id, sku, category,
// image_url}], ...}; a catalog try-on posts person + mode=garment + garment_id + category to /v1/tryon.
const CATALOG_URL = "/v1/garments";
const CATALOG_TRYON_URL = "/v1/tryon";

const FIELD_NAMES = {
  person: "your photo",
  content: "the image to print",
  style: "the artwork",
  garment_id: "the catalog garment",
};
const FIELD_INPUTS = { person: "person", content: "content", style: "style", garment: "garment-upper",
                       category: "garment-upper", opacity: "opacity", api_key: "api-key" };

const $ = (id) => document.getElementById(id);

const state = {
  files: { person: null, content: null, style: null },
  previews: {},
  mode: "design",
  catalog: [],
  thumbnailUrls: [],
  resultUrl: null,
  personUrl: null,
};

// Gateways bound beyond loopback require an API key (issue 6); it stays in this page's memory only.
function requestHeaders() {
  const key = $("api-key").value.trim();
  return key ? { Accept: "application/json", "X-API-Key": key } : { Accept: "application/json" };
}

// ---- inputs -------------------------------------------------------------------------------------------

function choose(slot, input) {
  const file = input.files && input.files[0];
  if (!file) return;
  state.files[slot] = file;
  clearError();
  const preview = $(`${slot}-preview`);
  if (state.previews[slot]) URL.revokeObjectURL(state.previews[slot]);
  state.previews[slot] = URL.createObjectURL(file);
  // A file the browser cannot draw (not an image, or HEIC on some browsers) simply has no preview: the
  // server decides what it accepts and says so.
  preview.onerror = () => { preview.hidden = true; };
  preview.onload = () => { preview.hidden = false; };
  preview.src = state.previews[slot];
}

function setupInputs() {
  $("person").addEventListener("change", (e) => choose("person", e.target));
  $("person-camera").addEventListener("change", (e) => choose("person", e.target));
  $("content").addEventListener("change", (e) => choose("content", e.target));
  $("style").addEventListener("change", (e) => choose("style", e.target));
  const opacity = $("opacity");
  const showOpacity = () => { $("opacity-value").value = `${Math.round(opacity.value * 100)}%`; };
  opacity.addEventListener("input", showOpacity);
  showOpacity();
}

// ---- catalog tab (shown only when the catalog API answers) ---------------------------------------------

async function loadCatalog() {
  let response;
  try {
    response = await fetch(CATALOG_URL, { headers: requestHeaders() });
  } catch {
    return;
  }
  const body = response.status === 200 ? await response.json().catch(() => null) : null;
  state.catalog = body && Array.isArray(body.items) ? body.items : [];
  for (const url of state.thumbnailUrls) URL.revokeObjectURL(url);
  state.thumbnailUrls = [];
  if (!body) {
    if (state.mode === "garment") selectMode("design", false);
    $("mode-tabs").hidden = true;
    return;
  }
  const list = $("garment-list");
  list.replaceChildren(...state.catalog.map(garmentOption));
  if (!state.catalog.length) {
    const note = document.createElement("p");
    note.className = "hint";
    note.textContent = "The catalog has no garments yet.";
    list.append(note);
  }
  $("mode-tabs").hidden = false;
}

function garmentOption(item, index) {
  const id = `garment-item-${index}`;
  const wrapper = document.createElement("div");
  wrapper.className = "garment-option";
  const radio = document.createElement("input");
  Object.assign(radio, { type: "radio", name: "garment_id", id, value: item.id });
  radio.addEventListener("change", () => {
    const garmentClass = $(`garment-${item.category}`);
    if (garmentClass) garmentClass.checked = true;
    clearError();
  });
  const label = document.createElement("label");
  label.htmlFor = id;
  const img = document.createElement("img");
  img.alt = "";
  img.hidden = true;
  label.append(img);
  const caption = document.createElement("span");
  caption.textContent = item.sku || `${item.category} garment`;
  label.append(caption);
  wrapper.append(radio, label);
  loadThumbnail(item.image_url, img);
  return wrapper;
}

// The image route wants the same key as the list, which an <img src> cannot send: fetch it, show a blob.
async function loadThumbnail(url, img) {
  if (!url) return;
  try {
    const response = await fetch(url, { headers: requestHeaders() });
    if (!response.ok) return;
    const blobUrl = URL.createObjectURL(await response.blob());
    state.thumbnailUrls.push(blobUrl);
    img.src = blobUrl;
    img.hidden = false;
  } catch {
    // No thumbnail: the caption still names the garment.
  }
}

function selectMode(mode, focus) {
  state.mode = mode;
  for (const [tabMode, tabId, panelId] of [["design", "tab-design", "panel-design"],
                                           ["garment", "tab-garment", "panel-garment"]]) {
    const selected = tabMode === mode;
    const tab = $(tabId);
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(panelId).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  // The print opacity belongs to design mode only.
  $("opacity-field").hidden = mode !== "design";
  clearError();
}

function setupTabs() {
  $("tab-design").addEventListener("click", () => selectMode("design", false));
  $("tab-garment").addEventListener("click", () => selectMode("garment", false));
  // WAI-ARIA tabs: arrow keys move between tabs, Tab moves into the panel.
  $("mode-tabs").addEventListener("keydown", (event) => {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
      event.preventDefault();
      const next = event.key === "Home" ? "design" : event.key === "End" ? "garment"
        : state.mode === "design" ? "garment" : "design";
      selectMode(next, true);
    }
  });
}

// ---- status and errors --------------------------------------------------------------------------------

function setStatus(text) {
  $("status").textContent = text;
}

function clearError() {
  $("error").hidden = true;
  for (const input of document.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const note of document.querySelectorAll(".field-error")) {
    note.hidden = true;
    note.textContent = "";
  }
}

function showError(message, detail = "", field = null) {
  $("error-message").textContent = message;
  $("error-detail").textContent = detail;
  $("error-detail").hidden = !detail;
  $("error").hidden = false;
  setStatus("");
  const input = field && $(FIELD_INPUTS[field] || "");
  if (input) {
    // The message is repeated under the field, which takes the focus (its aria-describedby names the
    // note): on a phone the summary under the button is out of sight by then.
    if (field === "api_key") $("server-settings").open = true;
    input.setAttribute("aria-invalid", "true");
    const note = $(`${input.id}-error`);
    if (note) {
      note.textContent = message;
      note.hidden = false;
    }
    input.focus();
  }
}

function retryHint(response) {
  const seconds = Number(response.headers.get("Retry-After"));
  return seconds > 0 ? `in ${seconds} second${seconds === 1 ? "" : "s"}` : "in a moment";
}

function sentSizes() {
  const sizes = Object.entries(state.files)
    .filter(([name, file]) => file && (name === "person" || state.mode === "design"))
    .map(([name, file]) => `${FIELD_NAMES[name]}: ${(file.size / 1e6).toFixed(1)} MB`);
  return sizes.length ? `Sent: ${sizes.join(", ")}.` : "";
}

// Turns a gateway answer into words for a shopper; the server's own message stays visible as the detail.
function describeFailure(response, error) {
  const field = error && error.field;
  const what = FIELD_NAMES[field] || "one of the images";
  const serverMessage = (error && error.message) || "";
  switch (response.status) {
    case 401:
    case 403:
      return ["This server needs a valid API key: enter it under \u201cAPI key\u201d and try again.",
              serverMessage, "api_key"];
    case 413:
      // A proxy's own 413 carries no JSON: the sizes that went out still say which file to shrink.
      return [`The upload is too large: choose a smaller photo for ${what}, or lower its resolution.`,
              serverMessage || sentSizes(), field];
    case 415:
      return [`That file is not an image we can read (${what}). Please choose a JPEG, PNG or WebP photo.`,
              serverMessage, field];
    case 422:
      return [serverMessage || "Some of the form is not valid.", "", field];
    case 429:
    case 503:
      return [`The server is busy right now. Please try again ${retryHint(response)}.`, serverMessage, null];
    case 504:
      return ["The try-on took too long. Please try again, or use a smaller photo.", serverMessage, null];
    default: {
      const id = response.headers.get("X-Request-Id");
      return [`Something went wrong on the server (HTTP ${response.status}). Please try again.`,
              id ? `Request id: ${id}` : serverMessage, null];
    }
  }
}

// ---- submit -------------------------------------------------------------------------------------------

function missingInput() {
  if (!state.files.person) return ["Add a photo of yourself first.", "person"];
  if (state.mode === "garment") {
    return document.querySelector("input[name=garment_id]:checked") ? null
      : ["Choose a garment from the catalog.", null];
  }
  if (!state.files.content) return ["Add the image to print on your clothes.", "content"];
  if (!state.files.style) return ["Add the artwork whose style paints your image.", "style"];
  return null;
}

function buildRequest() {
  const body = new FormData();
  const garment = document.querySelector("input[name=garment]:checked").value;
  body.append("person", state.files.person);
  body.append("format", "png");
  if (state.mode === "garment") {
    body.append("mode", "garment");
    body.append("garment_id", document.querySelector("input[name=garment_id]:checked").value);
    body.append("category", garment);
    return [CATALOG_TRYON_URL, body];
  }
  body.append("content", state.files.content);
  body.append("style", state.files.style);
  body.append("garment", garment);
  body.append("opacity", $("opacity").value);
  return [DESIGN_URL, body];
}

function setBusy(busy) {
  $("submit").disabled = busy;
  $("submit").textContent = busy ? "Trying it on…" : "Try it on";
  $("result-panel").setAttribute("aria-busy", String(busy));
  $("busy").hidden = !busy;
  if (busy) $("empty").hidden = true;
  else $("empty").hidden = !$("result").hidden;
}

async function submit(event) {
  event.preventDefault();
  clearError();
  const missing = missingInput();
  if (missing) {
    showError(missing[0], "", missing[1]);
    return;
  }
  const [url, body] = buildRequest();
  setBusy(true);
  setStatus("Trying it on… this takes a few seconds.");
  const started = performance.now();
  try {
    let response;
    try {
      response = await fetch(url, { method: "POST", body, headers: requestHeaders() });
    } catch {
      showError("Could not reach the server. Check your connection and try again.");
      return;
    }
    // A proxy in front of the gateway may answer with HTML; the status alone still tells what happened.
    const payload = await response.json().catch(() => null);
    if (!response.ok || !payload || !payload.image) {
      const [message, detail, field] = response.ok
        ? ["The server sent an answer this page cannot read. Please try again.", "", null]
        : describeFailure(response, payload && payload.error);
      showError(message, detail, field);
      return;
    }
    await showResult(payload, performance.now() - started);
    setStatus(`Done: ${payload.width} × ${payload.height} px.`);
  } finally {
    setBusy(false);
  }
}

// ---- result -------------------------------------------------------------------------------------------

function decodeBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function showResult(payload, roundTripMs) {
  if (state.resultUrl) URL.revokeObjectURL(state.resultUrl);
  if (state.personUrl) URL.revokeObjectURL(state.personUrl);
  state.resultUrl = URL.createObjectURL(new Blob([decodeBase64(payload.image)], { type: payload.media_type }));
  state.personUrl = URL.createObjectURL(state.files.person);
  const after = $("result-image");
  const before = $("original-image");
  after.src = state.resultUrl;
  before.src = state.personUrl;
  // Both pictures are decoded before the panel is shown, so the slider never reveals a half-loaded image.
  await Promise.all([after.decode(), before.decode().catch(() => undefined)]);

  $("compare").style.setProperty("--ratio", `${payload.width} / ${payload.height}`);
  $("compare").style.setProperty("--aspect", String(payload.width / payload.height));
  $("result-size").textContent = `${payload.width} × ${payload.height} px · ${payload.mode} mode`;
  const download = $("download");
  download.href = state.resultUrl;
  download.download = `tryon.${(payload.media_type.split("/")[1] || "png").replace("jpeg", "jpg")}`;

  const untrained = payload.untrained_models || [];
  $("untrained").hidden = !untrained.length;
  $("untrained").textContent = untrained.length
    ? `Made with untrained weights (${untrained.join(", ")}): this result does not show what the models can do.`
    : "";
  renderTimings(payload.timings_ms || {}, roundTripMs);
  renderModels(payload.models || {});

  $("empty").hidden = true;
  $("result").hidden = false;
  setSlider($("compare-slider").value);
  $("result-title").focus({ preventScroll: true });
  $("result-panel").scrollIntoView({ behavior: "smooth", block: "start" });
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderTimings(timings, roundTripMs) {
  const entries = Object.entries(timings);
  const longest = Math.max(1, ...entries.map(([, ms]) => ms));
  const rows = entries.map(([stage, ms]) => {
    const row = document.createElement("tr");
    const name = cell(stage.replaceAll("_", " "));
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.setProperty("--share", String(ms / longest));
    name.append(bar);
    row.append(name, cell(ms.toFixed(0), "num"));
    return row;
  });
  const total = document.createElement("tr");
  total.className = "total";
  total.append(cell("Round trip (browser)"), cell(roundTripMs.toFixed(0), "num"));
  $("timings").replaceChildren(...rows, total);
}

function renderModels(models) {
  const rows = Object.entries(models).sort(([a], [b]) => a.localeCompare(b)).map(([name, use]) => {
    const row = document.createElement("tr");
    row.append(cell(name), cell(String(use.version)), cell(use.trained ? "trained" : "untrained",
                                                           use.trained ? "" : "untrained"));
    return row;
  });
  $("models").replaceChildren(...rows);
}

// ---- before/after slider ------------------------------------------------------------------------------

function setSlider(value) {
  const slider = $("compare-slider");
  slider.value = value;
  $("compare").style.setProperty("--pos", `${slider.value}%`);
  slider.setAttribute("aria-valuetext", `${slider.value}% before, ${100 - slider.value}% after`);
}

function setupSlider() {
  const slider = $("compare-slider");
  // The range input covers the picture, so a drag anywhere on it and the arrow keys both move the divider.
  slider.addEventListener("input", () => setSlider(slider.value));
  setSlider(slider.value);
}

document.addEventListener("DOMContentLoaded", () => {
  setupInputs();
  setupTabs();
  setupSlider();
  $("tryon-form").addEventListener("submit", submit);
  $("api-key").addEventListener("change", loadCatalog);
  loadCatalog();
});
