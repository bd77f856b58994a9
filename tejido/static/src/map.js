// The network map: sigma.js (WebGL) draws the graph that graphology holds.
//
// The page works without this script (it lists the same actors in a table); this script adds
// the drawing. Layout: every node starts at a position derived only from the data (clusters by
// sector, or by part of the territory, and a spiral inside each cluster), then ForceAtlas2
// runs a fixed number of iterations in a web worker. Same data, same picture, and the page
// stays responsive while the layout settles.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import Sigma from "sigma";

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const FADED_NODE = "#d4d8e0";
const EDGE_COLOR = "rgba(72, 82, 102, 0.5)";
const EDGE_HIGHLIGHT = "rgba(29, 36, 51, 0.75)";
const LAYOUT_TIME_LIMIT_MS = 8000;

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
  const colors = {};
  for (const { code } of sectors) {
    colors[code] = style.getPropertyValue(`--sector-${code}`).trim() || "#4a5468";
  }
  return colors;
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
  return 90;
}

function nodeSizeFor(order, width) {
  // Small networks get bigger dots; thousands of actors, or a phone, need smaller ones.
  const screen = Math.min(1, Math.max(0.55, width / 900));
  const base = order <= 100 ? 5 : order <= 300 ? 3 : order <= 2000 ? 2.5 : 1.8;
  const growth = order <= 100 ? 1.8 : order <= 300 ? 1.3 : 1;
  return (degree) => screen * (base + Math.min(11, Math.sqrt(degree) * growth));
}

// Deterministic starting positions: clusters on a circle, a golden-angle spiral inside each,
// the best-connected actors at the centre of their cluster.
function seedPositions(nodes, clusterOrder) {
  const clusters = new Map();
  for (const node of nodes) {
    if (!clusters.has(node.cluster)) clusters.set(node.cluster, []);
    clusters.get(node.cluster).push(node);
  }
  const rank = (key) => {
    const i = clusterOrder.indexOf(key);
    return i === -1 ? clusterOrder.length : i;
  };
  const keys = [...clusters.keys()].sort((a, b) => rank(a) - rank(b) || String(a).localeCompare(String(b)));
  const total = nodes.length || 1;
  const positions = new Map();
  keys.forEach((key, index) => {
    const members = clusters.get(key).sort((a, b) => b.size - a.size || a.id - b.id);
    const angle = (2 * Math.PI * index) / keys.length;
    const distance = keys.length > 1 ? 100 : 0;
    const cx = distance * Math.cos(angle);
    const cy = distance * Math.sin(angle);
    const radius = 60 * Math.sqrt(members.length / total) + 4;
    members.forEach((node, j) => {
      const r = radius * Math.sqrt((j + 0.5) / members.length);
      const theta = j * GOLDEN_ANGLE;
      positions.set(node.id, { x: cx + r * Math.cos(theta), y: cy + r * Math.sin(theta) });
    });
  });
  return positions;
}

function buildGraph(data, colors, width) {
  const graph = new Graph({ type: "undirected", multi: false });
  const order = data.nodes.length;
  const sizeOf = nodeSizeFor(order, width);
  const clusterOrder =
    data.meta.view === "geographic"
      ? ["here"]
      : data.meta.sectors.map((s) => s.code);
  const positions = seedPositions(data.nodes, clusterOrder);
  for (const node of data.nodes) {
    const { x, y } = positions.get(node.id);
    graph.addNode(String(node.id), {
      x,
      y,
      label: node.label,
      size: sizeOf(node.size),
      color: colors[node.sector] || "#4a5468",
      sector: node.sector,
      url: node.url,
      degree: node.size,
      search: normalize(node.label),
    });
  }
  // Several ties between the same two actors (collaboration and funding, say) are drawn as one
  // line, as thick as the most intense of them.
  for (const edge of data.edges) {
    const source = String(edge.source);
    const target = String(edge.target);
    if (source === target || !graph.hasNode(source) || !graph.hasNode(target)) continue;
    const existing = graph.edge(source, target);
    if (existing) {
      const intensity = Math.max(graph.getEdgeAttribute(existing, "intensity"), edge.intensity);
      graph.mergeEdgeAttributes(existing, {
        intensity,
        size: 0.5 + intensity * 0.45,
        weight: 1 + intensity,
        types: `${graph.getEdgeAttribute(existing, "types")} ${edge.type}`,
      });
    } else {
      graph.addEdge(source, target, {
        intensity: edge.intensity,
        size: 0.5 + edge.intensity * 0.45,
        weight: 1 + edge.intensity,
        color: EDGE_COLOR,
        types: edge.type,
      });
    }
  }
  return graph;
}

// Actors without ties in this view would be flung to the edge by the layout and shrink the
// rest to a dot: they sit out the layout, then wait in a ring around the network.
function isolatesOf(graph) {
  return graph.filterNodes((node) => graph.degree(node) === 0);
}

function placeIsolates(graph, isolates) {
  const connected = graph.filterNodes((node) => graph.degree(node) > 0);
  if (!isolates.length || !connected.length) return;
  let cx = 0;
  let cy = 0;
  for (const node of connected) {
    cx += graph.getNodeAttribute(node, "x");
    cy += graph.getNodeAttribute(node, "y");
  }
  cx /= connected.length;
  cy /= connected.length;
  let radius = 0;
  for (const node of connected) {
    const { x, y } = graph.getNodeAttributes(node);
    radius = Math.max(radius, Math.hypot(x - cx, y - cy));
  }
  const ring = radius * 1.12 + 1;
  isolates.forEach((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / isolates.length;
    graph.mergeNodeAttributes(node, {
      x: cx + ring * Math.cos(angle),
      y: cy + ring * Math.sin(angle),
      hidden: false,
      fixed: false,
    });
  });
}

// Run ForceAtlas2 for a fixed number of iterations in a worker (one message is one iteration),
// so the same data always settles the same way; a time limit guards slow devices.
function runLayout(graph, onDone) {
  const isolates = graph.size ? isolatesOf(graph) : [];
  if (graph.order - isolates.length < 2 || !graph.size) {
    onDone();
    return () => {};
  }
  for (const node of isolates) graph.mergeNodeAttributes(node, { hidden: true, fixed: true });
  const done = onDone;
  onDone = () => {
    placeIsolates(graph, isolates);
    done();
  };
  // The inferred settings (strong gravity, Barnes-Hut above 2,000 nodes) give compact,
  // readable pictures of networks like ours; stronger ties pull a little harder.
  const settings = { ...forceAtlas2.inferSettings(graph), edgeWeightInfluence: 0.5 };
  const iterations = layoutIterations(graph.order);
  let layout;
  try {
    layout = new FA2Layout(graph, { settings, getEdgeWeight: "weight" });
  } catch {
    // No workers (very old browsers, strict policies): a short synchronous run instead.
    forceAtlas2.assign(graph, { iterations: Math.min(iterations, 60), settings, getEdgeWeight: "weight" });
    onDone();
    return () => {};
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
  return finish;
}

function initMap(container) {
  const text = messages();
  const status = document.getElementById("map-status");
  const selection = document.getElementById("map-selection");
  const searchForm = document.getElementById("map-search");
  const searchInput = document.getElementById("map-search-input");
  const names = document.getElementById("map-actor-names");
  const zoom = document.querySelector(".map-zoom");
  const say = (message) => {
    if (status) status.textContent = message;
  };

  if (!hasWebGL()) {
    say(text.noWebgl);
    container.classList.add("map-unavailable");
    return;
  }
  say(text.loading);
  container.setAttribute("aria-busy", "true");

  fetch(container.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((data) => draw(data))
    .catch(() => {
      container.removeAttribute("aria-busy");
      container.classList.add("map-unavailable");
      say(text.error);
    });

  function draw(data) {
    container.removeAttribute("aria-busy");
    const counts = data.meta.counts || {};
    if (data.meta.too_large) {
      container.classList.add("map-unavailable");
      say(format(text.tooLarge, { actors: counts.actors }));
      return;
    }
    if (!data.nodes.length) {
      container.classList.add("map-unavailable");
      say(text.empty);
      return;
    }
    const colors = sectorColors(data.meta.sectors);
    const graph = buildGraph(data, colors, container.clientWidth || 900);
    let renderer;
    try {
      renderer = new Sigma(graph, container, {
        renderEdgeLabels: false,
        hideEdgesOnMove: graph.size > 20000,
        labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        labelSize: 12,
        labelWeight: "600",
        labelColor: { color: "#1d2433" },
        // Few, well separated labels: the names of the best-connected actors, the rest on hover.
        labelRenderedSizeThreshold: graph.order > 2000 ? 9 : graph.order > 100 ? 7 : 6,
        labelGridCellSize: 200,
        labelDensity: 0.6,
        zIndex: true,
        minCameraRatio: 0.03,
        maxCameraRatio: 4,
      });
    } catch {
      container.classList.add("map-unavailable");
      say(text.noWebgl);
      return;
    }
    container.setAttribute(
      "aria-label",
      format(text.mapLabel, { actors: graph.order, ties: counts.ties ?? graph.size }),
    );

    // Highlight: the hovered or selected actor and its partners; everything else fades.
    const state = { hovered: null, selected: null };
    const focusSet = () => {
      const focus = state.hovered || state.selected;
      if (!focus) return null;
      return new Set([focus, ...graph.neighbors(focus)]);
    };
    let highlighted = null;
    renderer.setSetting("nodeReducer", (node, attributes) => {
      if (!highlighted) return attributes;
      if (node === state.selected || node === state.hovered) {
        return { ...attributes, highlighted: true, forceLabel: true, zIndex: 2 };
      }
      if (highlighted.has(node)) return { ...attributes, forceLabel: graph.order < 3000, zIndex: 1 };
      return { ...attributes, color: FADED_NODE, label: "", zIndex: 0 };
    });
    renderer.setSetting("edgeReducer", (edge, attributes) => {
      if (!highlighted) return attributes;
      const focus = state.hovered || state.selected;
      if (!graph.hasExtremity(edge, focus)) return { ...attributes, hidden: true };
      return { ...attributes, color: EDGE_HIGHLIGHT, zIndex: 1 };
    });
    const refresh = () => {
      highlighted = focusSet();
      renderer.refresh({ skipIndexation: true });
    };

    renderer.on("enterNode", ({ node }) => {
      state.hovered = node;
      container.style.cursor = "pointer";
      refresh();
    });
    renderer.on("leaveNode", () => {
      state.hovered = null;
      container.style.cursor = "";
      refresh();
    });
    renderer.on("clickNode", ({ node }) => {
      const url = graph.getNodeAttribute(node, "url");
      if (url) window.location.assign(url);
    });
    renderer.on("clickStage", () => {
      if (state.selected) select(null);
    });

    function showSelection(node) {
      if (!selection) return;
      selection.replaceChildren();
      if (!node) return;
      const attributes = graph.getNodeAttributes(node);
      const heading = document.createElement("p");
      heading.className = "map-selection-name";
      heading.textContent = attributes.label;
      const detail = document.createElement("p");
      detail.className = "muted";
      detail.textContent = format(text.partners, { count: graph.degree(node) });
      const link = document.createElement("a");
      link.href = attributes.url;
      link.className = "button button-small";
      link.textContent = text.openProfile;
      selection.append(heading, detail, link);
    }

    function select(node, { announce = true } = {}) {
      state.selected = node;
      refresh();
      showSelection(node);
      if (!node) return;
      // Frame the actor and its partners: the box around them, in the camera's coordinates
      // (where the whole graph spans 0 to 1), with a margin.
      const points = [node, ...graph.neighbors(node)]
        .map((key) => renderer.getNodeDisplayData(key))
        .filter(Boolean);
      if (points.length) {
        const xs = points.map((p) => p.x);
        const ys = points.map((p) => p.y);
        const spread = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
        const ratio = Math.min(1, Math.max(0.12, spread * 1.35));
        const center = renderer.getNodeDisplayData(node);
        const x = points.length > 1 ? (Math.max(...xs) + Math.min(...xs)) / 2 : center.x;
        const y = points.length > 1 ? (Math.max(...ys) + Math.min(...ys)) / 2 : center.y;
        renderer.getCamera().animate({ x, y, ratio }, { duration: 500 });
      }
      if (announce) {
        say(format(text.found, { name: graph.getNodeAttribute(node, "label"), count: graph.degree(node) }));
      }
    }

    // Search: an exact name first, then the first name containing the words typed.
    if (searchForm && searchInput) {
      if (names) {
        const labels = graph.mapNodes((_, a) => a.label).sort((a, b) => a.localeCompare(b));
        const fragment = document.createDocumentFragment();
        for (const label of labels) {
          const option = document.createElement("option");
          option.value = label;
          fragment.append(option);
        }
        names.replaceChildren(fragment);
      }
      searchForm.hidden = false;
      searchForm.addEventListener("submit", (event) => {
        event.preventDefault();
        const query = normalize(searchInput.value);
        if (!query) {
          select(null);
          return;
        }
        const words = query.split(" ");
        let found = graph.findNode((_, a) => a.search === query);
        if (!found) found = graph.findNode((_, a) => words.every((w) => a.search.includes(w)));
        if (found) {
          select(found);
        } else {
          select(null, { announce: false });
          say(format(text.notFound, { query: searchInput.value }));
        }
      });
    }

    if (zoom) {
      zoom.hidden = false;
      zoom.addEventListener("click", (event) => {
        const button = event.target.closest("[data-zoom]");
        if (!button) return;
        const camera = renderer.getCamera();
        const action = button.dataset.zoom;
        if (action === "in") camera.animatedZoom({ duration: 250 });
        else if (action === "out") camera.animatedUnzoom({ duration: 250 });
        else {
          select(null, { announce: false });
          camera.animatedReset({ duration: 300 });
        }
      });
    }

    say(text.layout);
    container.dataset.state = "layout";
    runLayout(graph, () => {
      container.dataset.state = "ready";
      say(format(text.ready, { actors: graph.order, ties: counts.ties ?? graph.size }));
      const focus = container.dataset.focus;
      if (focus && graph.hasNode(focus)) select(focus);
    });
    // Tests and curious readers can reach the renderer.
    container.sigma = renderer;
  }
}

const container = document.getElementById("map-canvas");
if (container) initMap(container);
