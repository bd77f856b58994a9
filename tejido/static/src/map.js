// The network map: sigma.js (WebGL) draws the graph that graphology holds.
//
// The page works without this script (a form of filters and a table of the same actors); this
// script adds the drawing. The server sends the view as compact columns (see
// `network.selectors.map_data`); filters that change which ties are drawn (cycle, tie types,
// intensity, territory or theme) ask the server again, while size, colour, highlights and the
// ego view only change how the same graph looks, here.
//
// Layout: every node starts at a position derived only from the data (clusters by sector, or
// by part of the territory, and a spiral inside each cluster), then ForceAtlas2 runs a fixed
// number of iterations in a web worker. Same data, same picture. Positions are kept when the
// filters change: moving the cycle slider shows ties appear and disappear between actors who
// stay where they were.
//
// At 20,000 actors the map must pan and zoom at interactive frame rates: edges and labels are
// not drawn while the camera moves, large graphs use one-pixel lines, sizes and colours are
// written into the graph once per change (the reducers only look at a precomputed emphasis and
// return early when there is none), and nothing is allocated per frame.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import Sigma from "sigma";
import { EdgeLineProgram, NodePointProgram } from "sigma/rendering";

const DATA_FORMAT = 2;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const FADED_NODE = "#dde1e8";
const DIMMED_NODE = "#aeb5c3";
const EDGE_COLOR = "rgba(72, 82, 102, 0.45)";
const EDGE_FADED = "rgba(72, 82, 102, 0.08)";
const EDGE_HIGHLIGHT = "rgba(29, 36, 51, 0.8)";
const EDGE_CRITICAL = "#c0392b";
const NONE_COLOR = "#c9ced8";
const OTHER_COLOR = "#8a93a5";
// Nine categories and "others": more colours than that cannot be told apart on a map.
const PALETTE = ["#1f77b4", "#e8772e", "#2ca02c", "#d62728", "#8c5fb8", "#8c564b", "#d45fb0", "#17a2b8", "#b5a000"];
const LAYOUT_TIME_LIMIT_MS = 9000;
const LARGE_ORDER = 5000;
// Brokers: the actors with the highest bridge role, one in twenty and at most ten.
const BROKERS_SHOWN = 10;
const BROKERS_SHARE = 0.05;
const PARTNERS_LISTED = 12;
const FLAG_ISOLATE = 1;
const FLAG_PERIPHERAL = 2;
const FLAG_CRITICAL = 4;

function messages() {
  const element = document.getElementById("map-messages");
  return element ? JSON.parse(element.textContent) : {};
}

// Django-style "%(name)s" placeholders, so translators see one syntax everywhere.
function format(text, params) {
  return String(text || "").replace(/%\((\w+)\)s/g, (_, key) => String(params[key] ?? ""));
}

function normalize(text) {
  return String(text)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

function sectorColors(sectors) {
  const style = getComputedStyle(document.documentElement);
  return sectors.map(({ code }) => style.getPropertyValue(`--sector-${code}`).trim() || "#4a5468");
}

function hasWebGL() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

function layoutIterations(order) {
  if (order <= 300) return 500;
  if (order <= 1000) return 250;
  if (order <= 3000) return 150;
  if (order <= 10000) return 90;
  return 50;
}

// Circle sizes: small networks get bigger dots; thousands of actors, or a phone, smaller ones.
// `share` is the indicator's value over its maximum in the view (0 to 1).
function sizeScale(order, width) {
  const screen = Math.min(1, Math.max(0.55, width / 900));
  const base = order <= 100 ? 5 : order <= 300 ? 3 : order <= 2000 ? 2.5 : 1.6;
  const spread = order <= 100 ? 12 : order <= 300 ? 10 : order <= 2000 ? 9 : 8;
  return (share) => screen * (base + spread * Math.sqrt(share));
}

// Deterministic starting positions: clusters on a circle, a golden-angle spiral inside each,
// the best-connected actors at the centre of their cluster.
function seedPositions(items, clusterOrder) {
  const clusters = new Map();
  for (const item of items) {
    if (!clusters.has(item.cluster)) clusters.set(item.cluster, []);
    clusters.get(item.cluster).push(item);
  }
  const rank = (key) => {
    const i = clusterOrder.indexOf(key);
    return i === -1 ? clusterOrder.length : i;
  };
  const keys = [...clusters.keys()].sort((a, b) => rank(a) - rank(b) || String(a).localeCompare(String(b)));
  const total = items.length || 1;
  const positions = new Map();
  keys.forEach((key, index) => {
    const members = clusters.get(key).sort((a, b) => b.degree - a.degree || a.id - b.id);
    const angle = (2 * Math.PI * index) / keys.length;
    const distance = keys.length > 1 ? 100 : 0;
    const cx = distance * Math.cos(angle);
    const cy = distance * Math.sin(angle);
    const radius = 60 * Math.sqrt(members.length / total) + 4;
    members.forEach((item, j) => {
      const r = radius * Math.sqrt((j + 0.5) / members.length);
      const theta = j * GOLDEN_ANGLE;
      positions.set(item.key, { x: cx + r * Math.cos(theta), y: cy + r * Math.sin(theta) });
    });
  });
  return positions;
}

// The graph of one answer of the server. Several ties between the same two actors
// (collaboration and funding, say) are drawn as one line, as thick as the most intense.
function buildGraph(data, large) {
  const graph = new Graph({ type: "undirected", multi: false });
  const { nodes, edges } = data;
  const ids = nodes.id;
  const keys = new Array(ids.length);
  for (let i = 0; i < ids.length; i += 1) {
    const key = String(ids[i]);
    keys[i] = key;
    graph.addNode(key, { x: 0, y: 0, i, label: nodes.label[i], size: 2, color: NONE_COLOR });
  }
  const typeCodes = data.meta.tie_types.map((t) => t.code);
  for (let e = 0; e < edges.source.length; e += 1) {
    const source = keys[edges.source[e]];
    const target = keys[edges.target[e]];
    if (source === target) continue;
    const intensity = edges.intensity[e];
    const type = typeCodes[edges.type[e]];
    const existing = graph.edge(source, target);
    if (existing) {
      const attributes = graph.getEdgeAttributes(existing);
      if (intensity > attributes.intensity) {
        attributes.intensity = intensity;
        attributes.size = large ? 1 : 0.5 + intensity * 0.45;
        attributes.weight = 1 + intensity;
      }
      attributes.types.push(type);
    } else {
      graph.addEdge(source, target, {
        intensity,
        size: large ? 1 : 0.5 + intensity * 0.45,
        weight: 1 + intensity,
        color: EDGE_COLOR,
        types: [type],
      });
    }
  }
  return { graph, keys };
}

// Actors without ties in this view would be flung to the edge by the layout and shrink the
// rest to a dot: they sit out the layout, then wait in a ring around the network.
function placeIsolates(graph, isolates) {
  if (!isolates.length) return;
  let cx = 0;
  let cy = 0;
  let count = 0;
  graph.forEachNode((node, a) => {
    if (graph.degree(node) > 0 || a.placed) {
      cx += a.x;
      cy += a.y;
      count += 1;
    }
  });
  if (!count) return;
  cx /= count;
  cy /= count;
  let radius = 0;
  graph.forEachNode((node, a) => {
    if (graph.degree(node) > 0 || a.placed) radius = Math.max(radius, Math.hypot(a.x - cx, a.y - cy));
  });
  const ring = radius * 1.12 + 1;
  isolates.forEach((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / isolates.length;
    graph.mergeNodeAttributes(node, { x: cx + ring * Math.cos(angle), y: cy + ring * Math.sin(angle) });
  });
}

// Run ForceAtlas2 for a fixed number of iterations in a worker (one message is one iteration),
// so the same data always settles the same way; a time limit guards slow devices. Nodes with
// `fixed` stay where they are (those already placed when only a few are new).
function runLayout(graph, iterations, onDone) {
  const moving = graph.filterNodes((node, a) => !a.fixed && graph.degree(node) > 0);
  if (moving.length < 1 || !graph.size) {
    onDone();
    return;
  }
  const settings = { ...forceAtlas2.inferSettings(graph), edgeWeightInfluence: 0.5 };
  let layout;
  try {
    layout = new FA2Layout(graph, { settings, getEdgeWeight: "weight" });
  } catch {
    // No workers (very old browsers, strict policies): a short synchronous run instead.
    forceAtlas2.assign(graph, { iterations: Math.min(iterations, 40), settings, getEdgeWeight: "weight" });
    onDone();
    return;
  }
  let count = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    layout.stop();
    layout.kill();
    clearTimeout(timer);
    onDone();
  };
  layout.worker.addEventListener("message", () => {
    count += 1;
    if (count >= iterations) finish();
  });
  const timer = setTimeout(finish, LAYOUT_TIME_LIMIT_MS);
  layout.start();
}

// Positions are remembered in the browser per view, so that coming back to a large map skips
// its layout (ids and coordinates only: no names leave the page's memory).
const STORED_POSITIONS_MAX = 30000;

function positionsKey(params) {
  const view = params.get("view") || "multisector";
  return `tejido-map:${window.location.pathname}:${view}:${params.get("territory") || params.get("theme") || ""}`;
}

function readPositions(key, into) {
  try {
    const stored = JSON.parse(window.localStorage.getItem(key) || "null");
    if (!stored || !Array.isArray(stored.ids) || !Array.isArray(stored.xy)) return;
    stored.ids.forEach((id, i) => {
      if (!into.has(String(id))) into.set(String(id), { x: stored.xy[2 * i], y: stored.xy[2 * i + 1] });
    });
  } catch {
    // Storage off or full, or an old format: lay the network out again.
  }
}

function writePositions(key, graph) {
  if (graph.order > STORED_POSITIONS_MAX) return;
  const ids = [];
  const xy = [];
  graph.forEachNode((node, a) => {
    ids.push(Number(node));
    xy.push(Math.round(a.x * 100) / 100, Math.round(a.y * 100) / 100);
  });
  try {
    window.localStorage.setItem(key, JSON.stringify({ ids, xy }));
  } catch {
    // Quota exceeded or storage disabled: nothing lost but a faster next visit.
  }
}

// Marks for the browser's performance timeline (and the benchmark): map:start, map:data,
// map:graph, map:layout, map:ready.
function mark(name) {
  if (window.performance && performance.mark) performance.mark(`map:${name}`);
}

function formatNumber(value, digits = 2) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(document.documentElement.lang || undefined, {
    maximumFractionDigits: digits,
  });
}

function initMap(container) {
  const text = messages();
  const status = document.getElementById("map-status");
  const selection = document.getElementById("map-selection");
  const legend = document.getElementById("map-legend");
  const sizeHelp = document.getElementById("map-size-help");
  const indicatorsNote = document.getElementById("map-indicators-note");
  const scopeLabel = document.getElementById("map-scope-label");
  const form = document.getElementById("map-form");
  const searchForm = document.getElementById("map-search");
  const searchInput = document.getElementById("map-search-input");
  const names = document.getElementById("map-actor-names");
  const zoom = document.querySelector(".map-zoom");
  const dataBase = container.dataset.url.split("?")[0];
  const say = (message) => {
    if (status) status.textContent = message;
  };
  const setState = (value) => {
    container.dataset.state = value;
  };

  if (!hasWebGL()) {
    say(text.noWebgl);
    container.classList.add("map-unavailable");
    return;
  }

  // Everything about the current drawing.
  let data = null;
  let graph = null;
  let keys = [];
  let renderer = null;
  let colors = null;
  let large = false;
  let request = null;
  let loads = 0;
  let pendingFocus = container.dataset.focus || "";
  // Per view (all, a territory, a theme): actor key -> {x, y}, kept across answers of the
  // server, so that changing the cycle or the ties shown moves no one.
  const layouts = new Map();
  const state = { hovered: null, ego: null };
  // The emphasis the reducers apply, recomputed when the highlight or the ego view changes.
  // kind: null (none), "ego", "set" (a highlight) or "hover".
  const emphasis = { kind: null, strong: null, soft: null, edges: null, focus: null };

  // ---- The form: filters ask the server, appearance is redrawn here -------------------------

  const appearanceFieldset = form && form.querySelector(".map-appearance");
  const submitRow = form && form.querySelector(".map-submit");
  if (appearanceFieldset) appearanceFieldset.hidden = false;
  if (submitRow) submitRow.hidden = true;
  const control = (name) => (form ? form.elements.namedItem(name) : null);
  const appearance = () => ({
    size: control("size")?.value || "degree",
    colour: control("colour")?.value || "sector",
    highlight: control("highlight")?.value || "",
  });

  function filterParams() {
    const params = new URLSearchParams();
    if (!form) return new URLSearchParams(container.dataset.url.split("?")[1] || "");
    const fields = new FormData(form);
    for (const name of ["view", "territory", "theme", "cycle", "intensity"]) {
      const value = fields.get(name);
      if (value && !(name === "intensity" && value === "0")) params.set(name, value);
    }
    const boxes = form.querySelectorAll("input[name=type]");
    const checked = [...boxes].filter((box) => box.checked).map((box) => box.value);
    if (checked.length && checked.length < boxes.length) for (const type of checked) params.append("type", type);
    return params;
  }

  function pageParams() {
    const params = filterParams();
    const look = appearance();
    if (look.size !== "degree") params.set("size", look.size);
    if (look.colour !== "sector") params.set("colour", look.colour);
    if (look.highlight) params.set("highlight", look.highlight);
    if (state.ego) params.set("focus", state.ego);
    return params;
  }

  function rememberInUrl() {
    const query = pageParams().toString();
    window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
    // The view tabs keep the filters that apply to every view.
    const carried = pageParams();
    for (const name of ["view", "territory", "theme", "focus"]) carried.delete(name);
    for (const link of document.querySelectorAll(".map-view-tabs a")) {
      const url = new URL(link.href, window.location.href);
      const view = url.searchParams.get("view");
      const params = new URLSearchParams(carried);
      if (view) params.set("view", view);
      link.href = `${url.pathname}?${params}`;
    }
  }

  // The cycle slider: the list of cycles, drawn as a timeline; the list stays the form's value.
  const cycleSelect = document.getElementById("map-cycle");
  const cycleRange = document.getElementById("map-cycle-range");
  const cycleOutput = document.getElementById("map-cycle-value");
  if (cycleSelect && cycleRange) {
    const slider = cycleRange.closest(".map-cycle-slider");
    const label = form.querySelector("label[for=map-cycle]");
    const showCycle = () => {
      const option = cycleSelect.options[cycleSelect.selectedIndex];
      cycleRange.value = String(cycleSelect.selectedIndex);
      cycleRange.setAttribute("aria-valuetext", option.text);
      if (cycleOutput) cycleOutput.textContent = option.text;
    };
    cycleRange.max = String(cycleSelect.options.length - 1);
    showCycle();
    slider.hidden = false;
    cycleSelect.hidden = true;
    if (label) label.htmlFor = "map-cycle-range";
    cycleRange.addEventListener("input", () => {
      cycleSelect.selectedIndex = Number(cycleRange.value);
      showCycle();
    });
    cycleRange.addEventListener("change", () => {
      cycleSelect.selectedIndex = Number(cycleRange.value);
      showCycle();
      filtersChanged();
    });
  }

  function typesSummary() {
    const summary = form && form.querySelector(".map-types summary .muted");
    if (!summary) return;
    const boxes = form.querySelectorAll("input[name=type]");
    const checked = [...boxes].filter((box) => box.checked).length;
    summary.textContent = `(${checked}/${boxes.length})`;
  }

  let refetchTimer = null;
  function filtersChanged() {
    // The state changes at once, so that whoever waits for "ready" waits for the new answer.
    setState("loading");
    container.setAttribute("aria-busy", "true");
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(() => {
      rememberInUrl();
      load();
      refreshTable();
    }, 120);
  }

  if (form) {
    form.addEventListener("change", (event) => {
      const target = event.target;
      if (target === cycleRange) return;
      if (["size", "colour", "highlight"].includes(target.name)) {
        rememberInUrl();
        if (graph) {
          applyAppearance();
          const note = describeHighlight();
          if (note) say(note);
        }
        return;
      }
      if (target.name === "type") typesSummary();
      filtersChanged();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      filtersChanged();
    });
  }

  // The table below the map follows the filters: the page renders it alone on request.
  let tableRequest = null;
  function refreshTable() {
    const table = document.getElementById("map-table");
    if (!table) return;
    if (tableRequest) tableRequest.abort();
    tableRequest = new AbortController();
    fetch(`${window.location.pathname}?${filterParams()}`, {
      headers: { "HX-Request": "true", "HX-Target": "map-table" },
      credentials: "same-origin",
      signal: tableRequest.signal,
    })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("map-table");
        const current = document.getElementById("map-table");
        if (fresh && current) current.replaceWith(document.importNode(fresh, true));
      })
      .catch(() => {});
  }

  // ---- Loading -------------------------------------------------------------------------------

  function load() {
    if (request) request.abort();
    request = new AbortController();
    loads += 1;
    const thisLoad = loads;
    mark("start");
    setState("loading");
    container.setAttribute("aria-busy", "true");
    say(text.loading);
    fetch(`${dataBase}?${filterParams()}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: request.signal,
    })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((answer) => {
        if (thisLoad !== loads) return;
        if (!answer.meta || answer.meta.format !== DATA_FORMAT) throw new Error("format");
        mark("data");
        draw(answer);
      })
      .catch((error) => {
        if (error.name === "AbortError") return;
        container.removeAttribute("aria-busy");
        container.classList.add("map-unavailable");
        setState("error");
        say(text.error);
      });
  }

  function unavailable(message) {
    container.classList.add("map-unavailable");
    if (renderer) renderer.getGraph().clear();
    say(message);
    setState("ready");
  }

  function draw(answer) {
    container.removeAttribute("aria-busy");
    data = answer;
    const counts = data.meta.counts || {};
    if (scopeLabel && data.meta.label) scopeLabel.textContent = data.meta.label;
    updateOptions();
    if (data.meta.too_large) {
      unavailable(format(text.tooLarge, { actors: counts.actors }));
      return;
    }
    if (!data.nodes.id.length) {
      unavailable(text.empty);
      return;
    }
    container.classList.remove("map-unavailable");
    colors = sectorColors(data.meta.sectors);
    large = data.nodes.id.length > LARGE_ORDER;
    const built = buildGraph(data, large);
    mark("graph");
    const fresh = built.graph;
    keys = built.keys;

    // Keep the positions of the actors already drawn (here or on an earlier visit); lay out
    // only when some are new.
    const storageKey = positionsKey(filterParams());
    if (!layouts.has(storageKey)) {
      layouts.set(storageKey, new Map());
      readPositions(storageKey, layouts.get(storageKey));
    }
    const positions = layouts.get(storageKey);
    let known = 0;
    fresh.forEachNode((node, a) => {
      const p = positions.get(node);
      if (p) {
        a.x = p.x;
        a.y = p.y;
        a.placed = true;
        known += 1;
      }
    });
    const newcomers = fresh.order - known;
    let iterations = 0;
    if (known < fresh.order / 2) {
      // Mostly new: start again from the data's own clusters.
      const clusterOrder = data.meta.view === "geographic" ? ["here"] : data.meta.sectors.map((s) => s.code);
      const items = keys.map((key, i) => ({
        key,
        id: data.nodes.id[i],
        cluster: data.nodes.cluster ? data.nodes.cluster[i] : data.meta.sectors[data.nodes.sector[i]].code,
        degree: fresh.degree(key),
      }));
      const seeds = seedPositions(items, clusterOrder);
      fresh.forEachNode((node, a) => {
        const p = seeds.get(node);
        a.x = p.x;
        a.y = p.y;
        a.placed = false;
        a.fixed = false;
      });
      iterations = layoutIterations(fresh.order);
    } else if (newcomers) {
      // A few newcomers: next to their partners already placed, then a short settling run
      // that moves only them.
      fresh.forEachNode((node, a) => {
        a.fixed = Boolean(a.placed);
        if (a.placed) return;
        let x = 0;
        let y = 0;
        let n = 0;
        fresh.forEachNeighbor(node, (_, b) => {
          if (b.placed) {
            x += b.x;
            y += b.y;
            n += 1;
          }
        });
        const jitter = (a.i % 17) / 17;
        a.x = n ? x / n + jitter : jitter;
        a.y = n ? y / n - jitter : -jitter;
      });
      iterations = 40;
    }
    const isolates = fresh.filterNodes((node, a) => fresh.degree(node) === 0 && !a.placed);
    for (const node of isolates) fresh.setNodeAttribute(node, "fixed", true);

    graph = fresh;
    state.hovered = null;
    if (state.ego && !graph.hasNode(state.ego)) state.ego = null;
    const attach = () => {
      if (!renderer) {
        if (!createRenderer()) return false;
      } else {
        configureRenderer();
        renderer.setGraph(graph);
      }
      container.sigma = renderer;
      applyAppearance();
      return true;
    };
    // A small network is drawn at once and seen settling; a large one is laid out first, as
    // redrawing 20,000 actors after every step of the layout would slow the layout down.
    const attachFirst = !large || !iterations;
    if (attachFirst && !attach()) return;
    fillSearch();
    container.setAttribute("aria-label", format(text.mapLabel, { actors: graph.order, ties: counts.ties ?? graph.size }));

    const finish = () => {
      mark("layout");
      placeIsolates(graph, isolates);
      if (!attachFirst && !attach()) return;
      graph.forEachNode((node, a) => {
        positions.set(node, { x: a.x, y: a.y });
        a.fixed = false;
        a.placed = true;
      });
      if (iterations) writePositions(storageKey, graph);
      mark("ready");
      setState("ready");
      say(format(text.ready, { actors: graph.order, ties: counts.ties ?? graph.size }));
      const note = describeHighlight();
      if (note && appearance().highlight) say(note);
      if (pendingFocus && graph.hasNode(pendingFocus)) selectEgo(pendingFocus, { announce: false });
      else if (state.ego) selectEgo(state.ego, { announce: false, frame: false });
      pendingFocus = "";
    };
    if (iterations) {
      setState("layout");
      say(text.layout);
      const current = graph;
      runLayout(graph, iterations, () => {
        if (current === graph) finish();
      });
    } else {
      finish();
    }
  }

  // What depends on the size of the graph. Large graphs: one-pixel lines (a sixth of the
  // vertices of thick ones), no edges and no labels while the camera moves (on a computer
  // without a graphics card, drawing 100,000 lines takes a tenth of a second), fewer labels at
  // rest.
  function sizeSettings() {
    return {
      defaultNodeType: large ? "point" : "circle",
      defaultEdgeType: large ? "fast" : "line",
      hideEdgesOnMove: large || graph.size > 20000,
      hideLabelsOnMove: large,
      labelRenderedSizeThreshold: large ? 11 : graph.order > 100 ? 7 : 6,
    };
  }

  function configureRenderer() {
    // Every change of settings re-indexes the graph: only when something differs.
    const wanted = sizeSettings();
    if (Object.entries(wanted).some(([key, value]) => renderer.getSetting(key) !== value)) {
      renderer.setSettings(wanted);
    }
  }

  function createRenderer() {
    try {
      renderer = new Sigma(graph, container, {
        renderEdgeLabels: false,
        enableEdgeEvents: false,
        nodeProgramClasses: { point: NodePointProgram },
        edgeProgramClasses: { fast: EdgeLineProgram },
        labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        labelSize: 12,
        labelWeight: "600",
        labelColor: { color: "#1d2433" },
        // Few, well separated labels: the names of the biggest circles, the rest on hover.
        ...sizeSettings(),
        labelGridCellSize: 200,
        labelDensity: 0.6,
        zIndex: true,
        minCameraRatio: 0.02,
        maxCameraRatio: 4,
        nodeReducer,
        edgeReducer,
      });
    } catch {
      unavailable(text.noWebgl);
      return false;
    }
    bindEvents();
    cheapRedrawAfterDrag(renderer);
    noHoverWhileDragging(renderer);
    return true;
  }

  // Sigma looks for the node under the mouse on every move, dragging or not, by reading a
  // pixel back from the graphics card: that read waits for the frame being drawn, so a drag
  // could not go faster than one full drawing per mouse event. Nothing is hovered while the
  // map is dragged.
  function noHoverWhileDragging(sigma) {
    const captor = sigma.getMouseCaptor();
    const nodeAt = sigma.getNodeAtPosition.bind(sigma);
    sigma.getNodeAtPosition = (position) => (captor.isMoving ? null : nodeAt(position));
  }

  // With `hideEdgesOnMove`, sigma re-indexes the whole graph after every drag (`refresh()` in
  // its mouse captor, sigma issue #1290) only to draw the edges again: half a second at 20,000
  // actors, after every pan. A render is enough, as the data did not change: the full refresh
  // asked for in the moment after a drag becomes a scheduled render.
  function cheapRedrawAfterDrag(sigma) {
    const refresh = sigma.refresh.bind(sigma);
    let releasing = false;
    sigma.getMouseCaptor().on("mouseup", () => {
      releasing = true;
      setTimeout(() => {
        releasing = false;
      }, 0);
    });
    sigma.refresh = (options) => (releasing && !options ? sigma.scheduleRender() : refresh(options));
  }

  // ---- Appearance: sizes, colours, legend, highlights ---------------------------------------

  function metric(name) {
    return data.metrics ? data.metrics[name] : null;
  }

  function updateOptions() {
    // Indicators other than direct partners come from a computed snapshot: without one they
    // cannot be chosen.
    const hasMetrics = Boolean(data.metrics);
    for (const select of [control("size"), control("colour"), control("highlight")]) {
      if (!select) continue;
      for (const option of select.options) {
        const needs =
          (select.name === "size" && option.value !== "degree") ||
          (select.name === "colour" && option.value === "community") ||
          (select.name === "highlight" && ["brokers", "critical"].includes(option.value));
        option.disabled = needs && !hasMetrics;
      }
      if (select.selectedOptions[0]?.disabled) select.selectedIndex = 0;
    }
    if (indicatorsNote) {
      if (!hasMetrics) indicatorsNote.textContent = text.noIndicators;
      else {
        const date = new Date(data.meta.snapshot.computed_at).toLocaleDateString(document.documentElement.lang || undefined);
        indicatorsNote.textContent =
          format(text.indicatorsAsOf, { date }) + (data.meta.snapshot.betweenness_sampled ? ` ${text.estimated}` : "");
      }
    }
  }

  // Categories beyond the nine largest share one colour, "others".
  function categoryColors(values, labelOf) {
    const counts = new Map();
    for (const value of values) counts.set(value, (counts.get(value) || 0) + 1);
    const ranked = [...counts.entries()]
      .filter(([value]) => value !== null && value !== undefined)
      .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
    const colorOf = new Map();
    const entries = [];
    let others = 0;
    ranked.forEach(([value, count], rank) => {
      if (rank < PALETTE.length) {
        colorOf.set(value, PALETTE[rank]);
        entries.push({ color: PALETTE[rank], label: labelOf(value), count });
      } else {
        colorOf.set(value, OTHER_COLOR);
        others += count;
      }
    });
    if (others) entries.push({ color: OTHER_COLOR, label: text.other, count: others });
    const none = counts.get(null) || 0;
    if (none) entries.push({ color: NONE_COLOR, label: text.noTerritory, count: none });
    return { colorOf, entries };
  }

  function applyAppearance() {
    const look = appearance();
    const n = keys.length;
    // Sizes: the chosen indicator over its largest value in the view.
    const values = new Float64Array(n);
    const column = look.size === "degree" ? null : metric(look.size);
    let max = 0;
    for (let i = 0; i < n; i += 1) {
      const v = column ? column[i] || 0 : graph.degree(keys[i]);
      values[i] = v;
      if (v > max) max = v;
    }
    const scale = sizeScale(n, container.clientWidth || 900);
    // Colours.
    let colorAt;
    let entries;
    if (look.colour === "community" && metric("community")) {
      const communities = metric("community");
      const result = categoryColors(communities, (value) => format(text.community, { number: value + 1 }));
      colorAt = (i) => result.colorOf.get(communities[i]) || NONE_COLOR;
      entries = result.entries;
    } else if (look.colour === "territory") {
      const territories = data.nodes.territory;
      const result = categoryColors(territories, (value) => data.meta.territories[String(value)] || "—");
      colorAt = (i) => (territories[i] === null ? NONE_COLOR : result.colorOf.get(territories[i]));
      entries = result.entries;
    } else {
      const counts = new Array(data.meta.sectors.length).fill(0);
      for (const s of data.nodes.sector) counts[s] += 1;
      colorAt = (i) => colors[data.nodes.sector[i]];
      entries = data.meta.sectors
        .map((sector, s) => ({ color: colors[s], label: sector.label, count: counts[s] }))
        .filter((entry) => entry.count);
    }
    graph.updateEachNodeAttributes(
      (node, a) => {
        a.size = scale(max ? values[a.i] / max : 0);
        a.color = colorAt(a.i);
        return a;
      },
      { attributes: ["size", "color"] },
    );
    drawLegend(entries, look);
    updateEmphasis();
  }

  function drawLegend(entries, look) {
    if (legend) {
      const fragment = document.createDocumentFragment();
      for (const entry of entries) {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.setAttribute("aria-hidden", "true");
        swatch.style.background = entry.color;
        const count = document.createElement("span");
        count.className = "muted";
        count.textContent = `(${formatNumber(entry.count, 0)})`;
        item.append(swatch, `${entry.label} `, count);
        fragment.append(item);
      }
      legend.replaceChildren(fragment);
    }
    if (sizeHelp) {
      const indicator = (text.sizeBy && text.sizeBy[look.size]) || look.size;
      // Large maps draw every tie one pixel wide: thickness says nothing there.
      sizeHelp.textContent = format(text.sizeLegend, { indicator }) + (large ? "" : ` ${text.lineLegend}`);
    }
  }

  function brokers() {
    const betweenness = metric("betweenness");
    if (!betweenness) return [];
    return keys
      .map((key, i) => [key, betweenness[i] || 0])
      .filter(([, value]) => value > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, Math.min(BROKERS_SHOWN, Math.ceil(keys.length * BROKERS_SHARE)))
      .map(([key]) => key);
  }

  // Redraw with the new emphasis; a change from nothing to nothing costs nothing (re-indexing
  // 100,000 edges is the most expensive thing the map does after the layout).
  function updateEmphasis() {
    const before = emphasis.kind;
    computeEmphasis();
    if (before || emphasis.kind) renderer.refresh();
  }

  function computeEmphasis() {
    emphasis.kind = null;
    emphasis.strong = emphasis.soft = emphasis.edges = emphasis.focus = null;
    if (state.ego && graph.hasNode(state.ego)) {
      // The ego view: the actor, its partners, and their partners dimmed.
      const first = new Set([state.ego, ...graph.neighbors(state.ego)]);
      const second = new Set();
      for (const node of first) {
        graph.forEachNeighbor(node, (other) => {
          if (!first.has(other)) second.add(other);
        });
      }
      Object.assign(emphasis, { kind: "ego", strong: first, soft: second, focus: state.ego });
      return;
    }
    const look = appearance();
    if (look.highlight) {
      let strong = [];
      let edges = null;
      if (look.highlight === "brokers") strong = brokers();
      else if (look.highlight === "isolates") strong = graph.filterNodes((node) => graph.degree(node) === 0);
      else if (look.highlight === "critical") {
        const flags = metric("flags") || [];
        strong = keys.filter((_, i) => (flags[i] || 0) & FLAG_CRITICAL);
        edges = new Set();
        const ties = data.critical_ties || { source: [], target: [] };
        for (let t = 0; t < ties.source.length; t += 1) {
          const edge = graph.edge(keys[ties.source[t]], keys[ties.target[t]]);
          if (edge) edges.add(edge);
        }
      }
      Object.assign(emphasis, { kind: "set", strong: new Set(strong), edges });
      return;
    }
    if (state.hovered && !large) {
      Object.assign(emphasis, {
        kind: "hover",
        strong: new Set([state.hovered, ...graph.neighbors(state.hovered)]),
        focus: state.hovered,
      });
    }
  }

  function describeHighlight() {
    const look = appearance();
    if (!look.highlight || emphasis.kind !== "set") return "";
    const what = text.highlight ? text.highlight[look.highlight] : look.highlight;
    if (!emphasis.strong.size && !(emphasis.edges && emphasis.edges.size)) return text.nothingToHighlight;
    let message = format(text.highlighted, { count: emphasis.strong.size, what });
    if (emphasis.edges) message += ` ${format(text.criticalTies, { count: emphasis.edges.size })}`;
    return message;
  }

  // The reducers run once per node and edge when the drawing is refreshed (never per frame):
  // they return at once when nothing is emphasized, and otherwise change the copy sigma hands
  // them in place.
  function nodeReducer(node, a) {
    const kind = emphasis.kind;
    if (!kind) return a;
    if (node === emphasis.focus) {
      a.highlighted = true;
      a.forceLabel = true;
      a.zIndex = 3;
      return a;
    }
    if (emphasis.strong.has(node)) {
      a.zIndex = 2;
      if (kind === "set" || emphasis.strong.size <= 40) a.forceLabel = emphasis.strong.size <= 40;
      return a;
    }
    if (kind === "ego" && emphasis.soft.has(node)) {
      a.color = DIMMED_NODE;
      a.label = "";
      a.zIndex = 1;
      return a;
    }
    a.color = FADED_NODE;
    a.label = "";
    a.zIndex = 0;
    return a;
  }

  function edgeReducer(edge, a) {
    const kind = emphasis.kind;
    if (!kind) return a;
    if (kind === "set") {
      if (emphasis.edges && emphasis.edges.has(edge)) {
        a.color = EDGE_CRITICAL;
        a.size = Math.max(a.size, 2.5);
        a.zIndex = 2;
        return a;
      }
      a.color = EDGE_FADED;
      return a;
    }
    const source = graph.source(edge);
    const target = graph.target(edge);
    if (source === emphasis.focus || target === emphasis.focus) {
      a.color = EDGE_HIGHLIGHT;
      a.zIndex = 1;
      return a;
    }
    if (kind === "ego" && emphasis.strong.has(source) && emphasis.strong.has(target)) {
      a.color = EDGE_COLOR;
      return a;
    }
    if (kind === "ego" && (emphasis.strong.has(source) || emphasis.strong.has(target))) {
      a.color = EDGE_FADED;
      return a;
    }
    a.hidden = true;
    return a;
  }

  // ---- Interaction: hover, the ego view, search, zoom ----------------------------------------

  function bindEvents() {
    renderer.on("enterNode", ({ node }) => {
      state.hovered = node;
      container.style.cursor = "pointer";
      if (!large && !state.ego && !appearance().highlight) {
        updateEmphasis();
      }
    });
    renderer.on("leaveNode", () => {
      state.hovered = null;
      container.style.cursor = "";
      if (emphasis.kind === "hover") {
        updateEmphasis();
      }
    });
    renderer.on("clickNode", ({ node }) => selectEgo(node));
    renderer.on("clickStage", () => {
      if (state.ego) selectEgo(null);
    });
  }

  function indicatorRows(i) {
    const rows = [];
    if (!data.metrics) return rows;
    const labels = text.sizeBy || {};
    const percent = (v) => (v === null || v === undefined ? "—" : `${formatNumber(v * 100, 0)} %`);
    rows.push([labels.degree, formatNumber(metric("degree")[i], 0)]);
    rows.push([labels.strength, formatNumber(metric("strength")[i], 1)]);
    rows.push([labels.two_step_reach, percent(metric("two_step_reach")[i])]);
    rows.push([labels.betweenness, formatNumber(metric("betweenness")[i], 3)]);
    rows.push([labels.effective_size, formatNumber(metric("effective_size")[i], 1)]);
    rows.push([labels.coreness, formatNumber(metric("coreness")[i], 0)]);
    const flags = metric("flags")[i] || 0;
    if (flags & FLAG_ISOLATE) rows.push([text.isolated, text.yes]);
    if (flags & FLAG_PERIPHERAL) rows.push([text.peripheral, text.yes]);
    if (flags & FLAG_CRITICAL) rows.push([text.critical, text.yes]);
    if (brokers().includes(keys[i])) rows.push([text.broker, text.yes]);
    return rows;
  }

  function showSelection(node) {
    if (!selection) return;
    selection.replaceChildren();
    if (!node) return;
    const a = graph.getNodeAttributes(node);
    const i = a.i;
    const heading = document.createElement("h3");
    heading.className = "map-selection-name";
    heading.textContent = a.label;
    const sector = data.meta.sectors[data.nodes.sector[i]];
    const territory = data.nodes.territory[i];
    const detail = document.createElement("p");
    detail.className = "muted";
    detail.textContent = [sector && sector.label, territory !== null ? data.meta.territories[String(territory)] : null]
      .filter(Boolean)
      .join(" · ");
    const partnersLine = document.createElement("p");
    partnersLine.textContent = format(text.partners, { count: graph.degree(node) });
    const actions = document.createElement("p");
    actions.className = "map-selection-actions";
    const link = document.createElement("a");
    link.href = data.meta.actor_url.replace("{id}", node);
    link.className = "button button-small";
    link.textContent = text.openProfile;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "button-small button-secondary";
    close.textContent = text.closeEgo;
    close.addEventListener("click", () => selectEgo(null));
    actions.append(link, close);
    selection.append(heading, detail, partnersLine, actions);

    const rows = indicatorRows(i);
    if (rows.length) {
      const title = document.createElement("h4");
      title.textContent = text.indicatorsHeading;
      const list = document.createElement("dl");
      list.className = "map-indicators";
      for (const [term, value] of rows) {
        const dt = document.createElement("dt");
        dt.textContent = term;
        const dd = document.createElement("dd");
        dd.textContent = value;
        list.append(dt, dd);
      }
      selection.append(title, list);
    }

    // Partners, strongest ties first: buttons that move the ego view to them (the keyboard's
    // way around the network).
    const partners = graph
      .mapNeighbors(node, (other, b) => ({ key: other, label: b.label, intensity: graph.getEdgeAttribute(graph.edge(node, other), "intensity") }))
      .sort((x, y) => y.intensity - x.intensity || x.label.localeCompare(y.label));
    if (partners.length) {
      const title = document.createElement("h4");
      title.textContent = text.partnersHeading;
      const list = document.createElement("ul");
      list.className = "map-partners";
      for (const partner of partners.slice(0, PARTNERS_LISTED)) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = partner.label;
        button.addEventListener("click", () => selectEgo(partner.key));
        item.append(button);
        list.append(item);
      }
      selection.append(title, list);
      if (partners.length > PARTNERS_LISTED) {
        const more = document.createElement("p");
        more.className = "muted";
        more.textContent = format(text.morePartners, { count: partners.length - PARTNERS_LISTED });
        selection.append(more);
      }
    }
  }

  function selectEgo(node, { announce = true, frame = true } = {}) {
    state.ego = node && graph.hasNode(node) ? node : null;
    updateEmphasis();
    showSelection(state.ego);
    rememberInUrl();
    if (!state.ego) return;
    if (frame) {
      // Frame the actor and its partners: the box around them, in the camera's coordinates
      // (where the whole graph spans 0 to 1), with a margin.
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      const extend = (key) => {
        const p = renderer.getNodeDisplayData(key);
        if (!p) return;
        minX = Math.min(minX, p.x);
        maxX = Math.max(maxX, p.x);
        minY = Math.min(minY, p.y);
        maxY = Math.max(maxY, p.y);
      };
      extend(state.ego);
      graph.forEachNeighbor(state.ego, extend);
      if (minX !== Infinity) {
        const spread = Math.max(maxX - minX, maxY - minY);
        const ratio = Math.min(1, Math.max(0.2, spread * 1.5));
        renderer.getCamera().animate({ x: (minX + maxX) / 2, y: (minY + maxY) / 2, ratio }, { duration: 500 });
      }
    }
    if (announce) {
      say(format(text.found, { name: graph.getNodeAttribute(state.ego, "label"), count: graph.degree(state.ego) }));
    }
  }

  // Search: an exact name first, then the first name containing the words typed.
  let searchBound = false;
  function fillSearch() {
    if (!searchForm || !searchInput) return;
    if (names) {
      // A datalist of 20,000 names slows typing down in every browser: large maps search on
      // submit only.
      const fragment = document.createDocumentFragment();
      if (!large) {
        const labels = graph.mapNodes((_, a) => a.label).sort((a, b) => a.localeCompare(b));
        for (const label of labels) {
          const option = document.createElement("option");
          option.value = label;
          fragment.append(option);
        }
      }
      names.replaceChildren(fragment);
    }
    searchForm.hidden = false;
    if (searchBound) return;
    searchBound = true;
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!graph) return;
      const query = normalize(searchInput.value);
      if (!query) {
        selectEgo(null);
        return;
      }
      const words = query.split(" ");
      let found = graph.findNode((_, a) => normalize(a.label) === query);
      if (!found) found = graph.findNode((_, a) => words.every((w) => normalize(a.label).includes(w)));
      if (found) {
        selectEgo(found);
      } else {
        selectEgo(null, { announce: false });
        say(format(text.notFound, { query: searchInput.value }));
      }
    });
  }

  if (zoom) {
    zoom.hidden = false;
    zoom.addEventListener("click", (event) => {
      const button = event.target.closest("[data-zoom]");
      if (!button || !renderer) return;
      const camera = renderer.getCamera();
      const action = button.dataset.zoom;
      if (action === "in") camera.animatedZoom({ duration: 250 });
      else if (action === "out") camera.animatedUnzoom({ duration: 250 });
      else {
        selectEgo(null, { announce: false });
        camera.animatedReset({ duration: 300 });
      }
    });
  }

  load();
}

const container = document.getElementById("map-canvas");
if (container) initMap(container);
