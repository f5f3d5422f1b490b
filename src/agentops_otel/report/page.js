"use strict";
// Draws the report from the JSON document above. Everything from spans goes in with textContent
// (never innerHTML), so a span name, tag, attribute or captured message can never become markup.
let data = JSON.parse(document.getElementById("report-data").textContent);
const PAGE = 100;  // sessions drawn at a time: a 10,000-session file filters and sorts in memory, draws a page
const view = {sortKey: "start_ms", sortDir: -1, open: new Set(), selected: null, drawn: new Map(), limit: PAGE};
const CAPTURE_HINT = "Message content was not captured. Turn capture on with the environment variable " +
  "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true or with agentops.init(capture_content=True).";
const TOOL_HINT = "Tool input and output were not captured. Turn capture on with " +
  "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true or agentops.init(capture_content=True).";
const KINDS = [["session", "session"], ["agent", "agent"], ["tool", "tool"], ["llm", "LLM call"], ["other", "other (chains, retrievers, actions, HTTP...)"]];
const OUTSIDE = "(outside sessions)";
const STATES = [["Success", "success"], ["Fail", "error"], ["Indeterminate", "indeterminate"], ["running/unknown", "unknown"]];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function count(n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); }

function stateBadge(state) {
  const known = ["success", "fail", "indeterminate"];
  const name = known.includes(state.toLowerCase()) ? state.toLowerCase() : "unknown";
  return el("span", "state state-" + name, state);
}

function pretty(value) {
  if (typeof value === "string") {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch (error) { return value; }
  }
  return JSON.stringify(value, null, 2);
}

function parsed(value) {
  if (typeof value !== "string") return value;
  try { return JSON.parse(value); } catch (error) { return undefined; }
}

// ---- the sessions: filter, sort, table, charts ----

function haystack(session) {
  // Built on the first search only: the names, tags, user, scores and string attributes (captured content too).
  if (session.haystack === undefined) {
    const parts = [session.id, session.user, session.state, session.reason, ...session.tags, ...session.scores.flat()];
    for (const span of session.spans) {
      parts.push(span[0]);
      for (const value of Object.values(span[7].attrs)) parts.push(Array.isArray(value) ? value.join(" ") : String(value));
    }
    session.haystack = parts.join("\n").toLowerCase();
  }
  return session.haystack;
}

function filters() {
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  return {
    text: document.getElementById("find").value.trim().toLowerCase(),
    state: document.getElementById("state").value,
    tag: document.getElementById("tag").value,
    user: document.getElementById("user").value,
    score: document.getElementById("score").value,
    kind: document.getElementById("kind").value,
    from: from ? new Date(from).getTime() : null,
    to: to ? new Date(to).getTime() : null,
  };
}

function matches(session, wanted) {
  if (wanted.state && session.state !== wanted.state) return false;
  if (wanted.tag && !session.tags.includes(wanted.tag)) return false;
  if (wanted.user && session.user !== wanted.user) return false;
  if (wanted.score && !session.scores.some(([name]) => name === wanted.score)) return false;
  if (wanted.kind && !session.spans.some((span) => span[2] === wanted.kind)) return false;
  if (wanted.from !== null && session.start_ms < wanted.from) return false;
  if (wanted.to !== null && session.start_ms > wanted.to) return false;
  return !wanted.text || haystack(session).includes(wanted.text);
}

function sortValue(session, key) {
  if (key === "tokens") return session.tokens_in + session.tokens_out;
  if (key === "tags") return session.tags.join(", ");
  return session[key];
}

function sorted(sessions) {
  const key = view.sortKey, dir = view.sortDir;
  return sessions.slice().sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

function tableRow(session) {
  const row = el("tr");
  row.dataset.session = session.id;
  const tags = el("td");
  for (const tag of session.tags) tags.appendChild(el("span", "tag", tag));
  const state = el("td");
  state.appendChild(stateBadge(session.state));
  const id = el("code", "", session.id.length > 12 ? session.id.slice(0, 8) + "\u2026" : session.id);
  id.title = session.id;
  const first = el("td");
  first.appendChild(id);
  row.append(first, el("td", "", session.user || "-"), el("td", "", session.started), state, el("td", "num", session.duration),
             el("td", "num", String(session.llm)), el("td", "num", String(session.tools)),
             el("td", "num" + (session.errors ? " has-errors" : ""), String(session.errors)),
             el("td", "num", session.tokens_in + " / " + session.tokens_out), el("td", "num", session.cost), tags);
  row.addEventListener("click", () => {
    const box = drawn(session).box;
    if (!box.open) box.open = true;
    box.scrollIntoView({block: "start"});
  });
  return row;
}

function drawn(session) {
  // Rows and sections are made when first shown, and kept (with their open state) while the data stays.
  let made = view.drawn.get(session.id);
  if (!made) {
    made = {row: tableRow(session), box: drawSession(session, view.open.has(session.id))};
    view.drawn.set(session.id, made);
  }
  return made;
}

function apply() {
  const wanted = filters();
  const shown = sorted(data.sessions.filter((session) => matches(session, wanted)));
  const body = document.querySelector("#sessions tbody"), details = document.getElementById("details");
  const rows = document.createDocumentFragment(), boxes = document.createDocumentFragment();
  for (const session of shown.slice(0, view.limit)) {
    const made = drawn(session);
    rows.appendChild(made.row);
    boxes.appendChild(made.box);
  }
  body.replaceChildren(rows);
  details.replaceChildren(boxes);
  details.dataset.kind = wanted.kind;  // the waterfalls show the spans of that kind only (page.css)
  const more = document.getElementById("more");
  more.hidden = shown.length <= view.limit;
  more.textContent = "show " + Math.min(PAGE, shown.length - view.limit) + " more of " + (shown.length - view.limit) + " not shown";
  for (const th of document.querySelectorAll("#sessions th")) {
    th.className = th.dataset.key === view.sortKey ? (view.sortDir > 0 ? "sorted-asc" : "sorted-desc") : "";
  }
  document.getElementById("shown").textContent = shown.length + " of " + count(data.sessions.length, "session");
  drawCharts(shown);
}

function bins(sessions) {
  // One bar per session while they fit, else 60 time buckets: cost and tokens summed, duration averaged.
  const byTime = sessions.filter((session) => session.start_ms).sort((a, b) => a.start_ms - b.start_ms);
  if (byTime.length <= 60) {
    return byTime.map((s) => ({label: s.started + " " + s.id, n: 1, cost: s.cost_usd, tokens: s.tokens_in + s.tokens_out, duration: s.duration_s}));
  }
  const first = byTime[0].start_ms, span = Math.max(byTime[byTime.length - 1].start_ms - first, 1);
  const buckets = Array.from({length: 60}, () => ({label: "", n: 0, cost: 0, tokens: 0, duration: 0}));
  for (const s of byTime) {
    const bucket = buckets[Math.min(Math.floor((s.start_ms - first) / span * 60), 59)];
    if (!bucket.n) bucket.label = "from " + s.started;
    bucket.n += 1; bucket.cost += s.cost_usd; bucket.tokens += s.tokens_in + s.tokens_out; bucket.duration += s.duration_s;
  }
  for (const bucket of buckets) if (bucket.n) { bucket.duration /= bucket.n; bucket.label += " (" + count(bucket.n, "session") + ")"; }
  return buckets;
}

function barChart(title, points, value, format) {
  const box = el("div", "chart");
  const top = Math.max(...points.map(value), 0);
  box.appendChild(el("div", "title", title + " (max " + format(top) + ")"));
  const width = 240, height = 56, step = width / Math.max(points.length, 1);
  const chart = svg("svg", {width, height, viewBox: "0 0 " + width + " " + height, role: "img"});
  points.forEach((point, index) => {
    const h = top ? value(point) / top * (height - 2) : 0;
    const bar = svg("rect", {x: index * step + 0.5, y: height - h, width: Math.max(step - 1, 1), height: h, fill: "#3e7bfa"});
    const tip = svg("title", {});
    tip.textContent = point.label + ": " + format(value(point));
    bar.appendChild(tip);
    chart.appendChild(bar);
  });
  box.appendChild(chart);
  return box;
}

function drawCharts(sessions) {
  const charts = document.getElementById("charts");
  const points = bins(sessions.filter((session) => session.id !== OUTSIDE));
  const shares = el("div", "chart");
  shares.appendChild(el("div", "title", "End states"));
  const total = Math.max(sessions.length, 1), width = 240;
  const chart = svg("svg", {width, height: 16, viewBox: "0 0 " + width + " 16", role: "img"});
  const legend = el("div", "shares");
  let x = 0;
  for (const [state, colour] of STATES) {
    const n = sessions.filter((session) => session.state === state).length;
    if (!n) continue;
    const w = n / total * width;
    chart.appendChild(svg("rect", {x, y: 0, width: w, height: 16, fill: "var(--" + colour + ")"}));
    x += w;
    legend.appendChild(el("span", "", state + " " + n + " (" + Math.round(n / total * 100) + "%)"));
  }
  shares.append(chart, legend);
  charts.replaceChildren(
    barChart("Cost per session, USD", points, (p) => p.cost, (v) => "$" + v.toFixed(6)),
    barChart("Tokens per session", points, (p) => p.tokens, (v) => String(Math.round(v))),
    barChart("Duration per session, s", points, (p) => p.duration, (v) => v.toFixed(2) + " s"),
    shares);
}

// ---- one session: totals, errors, waterfall ----

function tooltip(span) {
  const [name, , , status, , , , info] = span;
  const lines = [name, info.label + " (" + info.span_kind + " span), status " + status];
  if (info.status) lines.push(info.status);
  for (const [key, label] of [["gen_ai.request.model", "model"], ["gen_ai.tool.name", "tool"], ["gen_ai.agent.name", "agent"],
                              ["gen_ai.usage.input_tokens", "input tokens"], ["gen_ai.usage.output_tokens", "output tokens"],
                              ["agentops.llm.cost_usd", "cost USD"]]) {
    if (key in info.attrs) lines.push(label + ": " + info.attrs[key]);
  }
  return lines.join("\n");
}

function drawWaterfall(session, box) {
  session.spans.forEach((span, index) => {
    const [name, depth, kind, status, left, width, duration, info] = span;
    const row = el("div", "span-row kind-" + kind + " status-" + status);
    const badge = el("span", "badge", info.label);
    row.title = tooltip(span);
    row.dataset.index = String(index);
    const label = el("div", "label", name);
    label.style.paddingLeft = (depth * 14) + "px";
    const track = el("div", "track");
    const bar = el("div", "bar");
    bar.style.left = left + "%";
    bar.style.width = width + "%";
    track.appendChild(bar);
    row.append(badge, label, track, el("div", "dur", duration));
    row.addEventListener("click", () => openSpan(session.id, index));
    box.appendChild(row);
  });
  if (session.hidden) box.appendChild(el("div", "muted", session.hidden + " more spans not drawn; see `agentops-otel report FILE --session " + session.id + "`"));
}

function drawSession(session, open) {
  const box = el("details", "session");
  box.id = "session-" + session.id;
  const summary = el("summary");
  summary.append(stateBadge(session.state), " ", el("code", "", session.id), " ",
                 el("span", "muted", [session.user ? "user " + session.user : "", session.started, session.duration].filter(Boolean).join(" \u00b7 ")));
  box.appendChild(summary);
  const totals = el("div", "totals");
  totals.append(el("span", "", count(session.llm, "LLM call")), el("span", "", count(session.tools, "tool call")),
                el("span", "", count(session.actions, "action")), el("span", session.errors ? "has-errors" : "", count(session.errors, "error")),
                el("span", "", "tokens " + session.tokens_in + " in / " + session.tokens_out + " out"), el("span", "", "cost " + session.cost));
  if (session.reason) totals.append(el("span", "muted", "reason: " + session.reason));
  box.appendChild(totals);
  if (session.scores.length) {
    const scores = el("div", "scores");
    for (const [name, shown, explanation] of session.scores) {
      const score = el("div", "score");
      score.append(el("span", "name", name), " ", el("span", "value", shown));
      if (explanation) score.append(" ", el("span", "muted", explanation));
      scores.appendChild(score);
    }
    box.appendChild(scores);
  }
  if (session.failed.length) {
    const errors = el("div", "errors");
    for (const [name, message] of session.failed) errors.appendChild(el("div", "", name + ": " + message));
    box.appendChild(errors);
  }
  const waterfall = el("div", "waterfall");
  box.appendChild(waterfall);
  // Bars are drawn when a session is first opened, so a file with many sessions opens quickly.
  box.addEventListener("toggle", () => {
    if (box.open) view.open.add(session.id); else view.open.delete(session.id);
    if (box.open && !waterfall.childElementCount) drawWaterfall(session, waterfall);
  });
  if (open) { box.open = true; view.open.add(session.id); drawWaterfall(session, waterfall); }
  return box;
}

// ---- one span: the details panel, and replay through a session's spans in start order ----

function facts(pairs) {
  const list = el("dl", "facts");
  for (const [label, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", "", label), el("dd", "", Array.isArray(value) ? value.join(", ") : String(value)));
  }
  return list;
}

function drawPart(box, part) {
  if (part === null || typeof part !== "object") { box.appendChild(el("div", "text", String(part))); return; }
  if (part.type === "text" || (part.type === undefined && typeof part.content === "string")) {
    box.appendChild(el("div", "text", String(part.content)));
  } else if (part.type === "tool_call") {
    const call = el("div", "call");
    call.append(el("div", "", "\u2192 tool call " + String(part.name) + (part.id ? " (" + part.id + ")" : "")), el("pre", "", pretty(part.arguments)));
    box.appendChild(call);
  } else if (part.type === "tool_call_response") {
    const result = el("div", "result");
    result.append(el("div", "", "\u2190 tool result" + (part.id ? " (" + part.id + ")" : "")), el("pre", "", pretty(part.response)));
    box.appendChild(result);
  } else {
    box.appendChild(el("pre", "", pretty(part)));
  }
}

function drawMessage(chat, message, fallbackRole) {
  const role = String((message && message.role) || fallbackRole);
  const bubble = el("div", "msg role-" + role.toLowerCase().replace(/[^a-z]/g, ""));
  bubble.appendChild(el("div", "role", role + (message && message.finish_reason ? " \u00b7 " + message.finish_reason : "")));
  let parts = message && Array.isArray(message.parts) ? message.parts : null;
  if (parts === null && message && "content" in message) parts = Array.isArray(message.content) ? message.content : [{type: "text", content: message.content}];
  if (message && Array.isArray(message.tool_calls)) {
    parts = (parts || []).concat(message.tool_calls.map((c) => ({type: "tool_call", id: c.id, name: (c.function || c).name, arguments: (c.function || c).arguments})));
  }
  for (const part of parts || [message]) drawPart(bubble, part);
  chat.appendChild(bubble);
}

function drawChat(body, attrs) {
  const system = parsed(attrs["gen_ai.system_instructions"]);
  const input = parsed(attrs["gen_ai.input.messages"]);
  const output = parsed(attrs["gen_ai.output.messages"]);
  if (system === undefined && input === undefined && output === undefined) {
    body.appendChild(el("div", "hint", CAPTURE_HINT));
    return;
  }
  body.appendChild(el("h3", "", "Conversation"));
  const chat = el("div", "chat");
  if (system !== undefined) drawMessage(chat, {role: "system", parts: Array.isArray(system) ? system : [system]}, "system");
  for (const [messages, role] of [[input, "user"], [output, "assistant"]]) {
    if (messages === undefined) continue;
    for (const message of Array.isArray(messages) ? messages : [messages]) drawMessage(chat, message, role);
  }
  body.appendChild(chat);
}

function drawInputOutput(body, attrs, input, output, hint) {
  if (!(input in attrs) && !(output in attrs)) { if (hint) body.appendChild(el("div", "hint", hint)); return; }
  for (const [key, title] of [[input, "Input"], [output, "Output"]]) {
    if (!(key in attrs)) continue;
    body.appendChild(el("h3", "", title));
    body.appendChild(el("pre", "", pretty(attrs[key])));
  }
}

function drawEvents(body, events) {
  if (!events.length) return;
  body.appendChild(el("h3", "", "Events"));
  for (const [name, at, attrs] of events) {
    if (name === "exception") {
      const box = el("div", "exception");
      box.appendChild(el("div", "", "+" + at + " ms  " + (attrs["exception.type"] || "exception") + ": " + (attrs["exception.message"] || "")));
      if (attrs["exception.stacktrace"]) box.appendChild(el("pre", "", String(attrs["exception.stacktrace"])));
      body.appendChild(box);
    } else {
      body.appendChild(el("div", "", "+" + at + " ms  " + name));
      if (Object.keys(attrs).length) body.appendChild(el("pre", "", pretty(attrs)));
    }
  }
}

function drawAttributes(body, attrs) {
  body.appendChild(el("h3", "", "Attributes"));
  const table = el("table", "attrs");
  for (const key of Object.keys(attrs).sort()) {
    const row = el("tr");
    const value = el("td");
    const text = Array.isArray(attrs[key]) ? JSON.stringify(attrs[key]) : String(attrs[key]);
    value.appendChild(text.length > 80 || text.includes("\n") ? el("pre", "", pretty(attrs[key])) : el("code", "", text));
    row.append(el("td", "", key), value);
    table.appendChild(row);
  }
  body.appendChild(table);
}

function drawSpan(session, index) {
  const [name, , kind, status, , , duration, info] = session.spans[index];
  const attrs = info.attrs;
  const body = document.getElementById("panel-body");
  body.replaceChildren();
  const title = el("h2", "", name);
  title.id = "span-title";
  body.append(title, facts([
    ["session", session.id], ["kind", info.label], ["span kind", info.span_kind], ["status", status + (info.status ? ": " + info.status : "")],
    ["duration", duration], ["started", "+" + info.start + " ms after the session"], ["span id", info.id],
    ["parent", info.parent], ["service", info.service], ["library", info.scope],
  ]));
  if (kind === "llm") {  // the kind is decided once, in Python (report/kinds.py)
    const cost = attrs["agentops.llm.cost_usd"];
    const firstChunk = attrs["gen_ai.response.time_to_first_chunk"];
    body.appendChild(el("h3", "", "LLM call"));
    body.appendChild(facts([
      ["model", attrs["gen_ai.request.model"]], ["response model", attrs["gen_ai.response.model"]],
      ["provider", attrs["gen_ai.provider.name"] || attrs["gen_ai.system"]],
      ["tokens in / out", (attrs["gen_ai.usage.input_tokens"] ?? "?") + " / " + (attrs["gen_ai.usage.output_tokens"] ?? "?")],
      ["cost", cost === undefined ? "unknown (no price for this model)" : "$" + Number(cost).toFixed(6)],
      ["latency", duration], ["time to first chunk", firstChunk === undefined ? "" : (Number(firstChunk) * 1000).toFixed(0) + " ms"],
      ["finish reasons", attrs["gen_ai.response.finish_reasons"]],
    ]));
    drawChat(body, attrs);
  } else if (kind === "tool") {
    body.appendChild(el("h3", "", "Tool " + (attrs["gen_ai.tool.name"] || "")));
    drawInputOutput(body, attrs, "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", TOOL_HINT);
  } else {
    drawInputOutput(body, attrs, "agentops.action.params", "agentops.action.returns", "");
  }
  drawEvents(body, info.events);
  drawAttributes(body, attrs);
}

function replayOrder(session) {
  if (!session.order) session.order = session.spans.map((span, index) => index).sort((a, b) => session.spans[a][7].start - session.spans[b][7].start);
  return session.order;
}

function openSpan(id, index) {
  const session = data.sessions.find((candidate) => candidate.id === id);
  if (!session || !session.spans[index]) return closePanel();
  view.selected = {id, index, span: session.spans[index][7].id};
  for (const row of document.querySelectorAll(".span-row.selected")) row.classList.remove("selected");
  const box = view.drawn.get(id) && view.drawn.get(id).box;
  const row = box && box.querySelector('.span-row[data-index="' + index + '"]');
  if (row) row.classList.add("selected");
  drawSpan(session, index);
  const order = replayOrder(session), step = order.indexOf(index);
  document.getElementById("step").textContent = "span " + (step + 1) + " of " + order.length + " in start order";
  document.getElementById("prev").disabled = step <= 0;
  document.getElementById("next").disabled = step >= order.length - 1;
  document.getElementById("panel").hidden = false;
  document.body.classList.add("with-panel");
}

function step(by) {
  if (!view.selected) return;
  const session = data.sessions.find((candidate) => candidate.id === view.selected.id);
  const order = replayOrder(session), next = order[order.indexOf(view.selected.index) + by];
  if (next !== undefined) openSpan(session.id, next);
}

function closePanel() {
  view.selected = null;
  document.getElementById("panel").hidden = true;
  document.body.classList.remove("with-panel");
  for (const row of document.querySelectorAll(".span-row.selected")) row.classList.remove("selected");
}

// ---- drawing everything, and keeping it fresh under `serve` ----

function render(first) {
  const lost = data.unattributed.count ? count(data.unattributed.count, "unattributed span") : "";
  document.getElementById("meta").textContent = [data.source, count(data.sessions.length, "session"), count(data.spans, "span"), lost,
    data.live ? "live: updated " + new Date().toLocaleTimeString() : "generated " + data.generated].filter(Boolean).join(" \u00b7 ");
  choices("tag", data.sessions.flatMap((session) => session.tags));
  choices("user", data.sessions.map((session) => session.user).filter(Boolean));
  choices("score", data.sessions.flatMap((session) => session.scores.map(([name]) => name)));
  view.drawn = new Map();
  if (first) {
    // On load: the newest session open, and the next ones while their bars fit a budget; the rest open on click.
    let budget = data.open_budget;
    data.sessions.slice(0, PAGE).forEach((session, index) => {
      if (index === 0 || budget >= session.spans.length) view.open.add(session.id);
      budget -= session.spans.length;
    });
  }
  drawUnattributed(data.unattributed);
  apply();
  if (view.selected) {
    // Live data: new spans can come before the open one in tree order; find it again by its span id.
    const session = data.sessions.find((candidate) => candidate.id === view.selected.id);
    const index = session ? session.spans.findIndex((span) => span[7].id === view.selected.span) : -1;
    if (index < 0) closePanel(); else openSpan(session.id, index);
  }
}

function choices(id, values) {
  // A filter's options: "any" and each value found, sorted; the chosen one kept while it is still there.
  const known = new Set(values), select = document.getElementById(id), chosen = select.value;
  select.replaceChildren(el("option", "", "any"));
  select.firstChild.value = "";
  for (const value of [...known].sort()) select.appendChild(el("option", "", value));
  select.value = known.has(chosen) ? chosen : "";
}

function drawUnattributed(unattributed) {
  // Calls no session owns (docs/report.md): each row opens its span, which is among the spans outside sessions.
  const box = document.getElementById("unattributed");
  box.hidden = !unattributed.count;
  if (!unattributed.count) { box.replaceChildren(); return; }
  const table = el("table"), head = el("tr"), body = el("tbody");
  for (const title of ["Name", "Started", "Provider/model", "Tokens in/out", "Cost", "Trace"]) head.appendChild(el("th", "", title));
  const outside = data.sessions.find((session) => session.id === OUTSIDE);
  for (const [name, started, model, tokens, cost, trace, spanId] of unattributed.rows) {
    const row = el("tr");
    row.append(el("td", "", name), el("td", "", started), el("td", "", model), el("td", "num", tokens), el("td", "num", cost));
    const id = el("td");
    id.appendChild(el("code", "", trace));
    row.appendChild(id);
    const index = outside ? outside.spans.findIndex((span) => span[7].id === spanId) : -1;
    if (index >= 0) row.addEventListener("click", () => openSpan(OUTSIDE, index));
    body.appendChild(row);
  }
  table.append(el("thead"), body);
  table.firstChild.appendChild(head);
  const more = unattributed.count - unattributed.rows.length;
  box.replaceChildren(el("h2", "", "Unattributed: " + count(unattributed.count, "span") + " no session owns"),
                      el("div", "", unattributed.hint), table);
  if (more) box.appendChild(el("div", "muted", more + " more not listed; `agentops-otel report FILE --outside` shows every span outside sessions"));
}

function drawLegend() {
  const legend = document.getElementById("legend");
  for (const [kind, text] of [...KINDS, ["error", "error"]]) {
    const item = el("span", "kind-" + kind);
    const swatch = el("i");
    swatch.style.background = "var(--" + kind + ")";
    item.append(swatch, text);
    legend.appendChild(item);
  }
}

async function poll() {
  try {
    const response = await fetch("data.json?v=" + data.version, {cache: "no-store"});
    if (response.status === 200) { data = await response.json(); render(false); }
  } catch (error) {
    document.getElementById("meta").textContent = data.source + " \u00b7 live: the server does not answer (" + error + ")";
  }
  setTimeout(poll, 1000);
}

for (const id of ["find", "state", "tag", "user", "score", "kind", "from", "to"]) {
  document.getElementById(id).addEventListener("input", () => { view.limit = PAGE; apply(); });
}
document.getElementById("more").addEventListener("click", () => { view.limit += PAGE; apply(); });
document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
for (const th of document.querySelectorAll("#sessions th")) {
  th.addEventListener("click", () => {
    view.sortDir = view.sortKey === th.dataset.key ? -view.sortDir : (th.dataset.key === "start_ms" ? -1 : 1);
    view.sortKey = th.dataset.key;
    apply();
  });
}
document.getElementById("prev").addEventListener("click", () => step(-1));
document.getElementById("next").addEventListener("click", () => step(1));
document.getElementById("close").addEventListener("click", closePanel);
document.addEventListener("keydown", (event) => {
  if (!view.selected || event.target.closest("input, select")) return;
  if (event.key === "ArrowRight") step(1);
  else if (event.key === "ArrowLeft") step(-1);
  else if (event.key === "Escape") closePanel();
});
drawLegend();
render(true);
if (data.live) setTimeout(poll, 1000);
