package plots

// replayScript runs a Replay in the browser. It is a function expression
// called with the replay's element id. It decodes the gzipped JSON (with the
// browser's DecompressionStream), then redraws the paths and the table on
// every control. Nothing talks to the kernel.
const replayScript = `(function (id) {
  var root = document.getElementById(id);
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "loading");
  var note = root.querySelector("[data-role=note]");
  function fail(msg) { note.textContent = msg; root.setAttribute("data-ready", "failed"); }
  if (typeof DecompressionStream === "undefined") {
    fail("This browser cannot decompress the replay's data (no DecompressionStream); it shows the start only.");
    return;
  }
  var bin = atob(root.querySelector("script[data-role=data]").textContent.trim());
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json()
    .then(start, function (e) { fail("Could not read the replay's data: " + e); });

  function start(D) {
    var NS = "http://www.w3.org/2000/svg";
    var step = 0, timer = null;
    var setting = D.params.map(function (p) { return p.start; });
    var A = D.area, R = D.range;
    var g = root.querySelector("[data-role=paths]");
    var status = root.querySelector("[data-role=status]");
    var table = root.querySelector("[data-role=table]");
    var stepInput = root.querySelector("input[data-role=step]");
    var play = root.querySelector("button[data-act=play]");

    function clamp(v) { return Math.max(-1e5, Math.min(1e5, v)); }
    function px(x, y) {
      return [clamp(A[0] + (x - R[0]) / (R[1] - R[0]) * A[2]), clamp(A[1] + (1 - (y - R[2]) / (R[3] - R[2])) * A[3])];
    }
    function fmt(v) { return Number(v.toPrecision(4)).toString(); }
    function runFor(path) {
      for (var i = 0; i < path.runs.length; i++) {
        var run = path.runs[i], ok = true;
        for (var d = 0; d < setting.length; d++) {
          if (run.at[d] >= 0 && run.at[d] !== setting[d]) { ok = false; }
        }
        if (ok) { return run; }
      }
      return null;
    }
    function el(name, attrs) {
      var e = document.createElementNS(NS, name);
      for (var k in attrs) { e.setAttribute(k, attrs[k]); }
      return e;
    }
    function cell(row, text, tag) {
      var td = document.createElement(tag || "td");
      td.textContent = text;
      td.style.textAlign = D.numeric[row.children.length] ? "right" : "left";
      row.appendChild(td);
    }
    function render() {
      var parts = ["step " + step + " of " + D.steps];
      D.params.forEach(function (p, d) {
        parts.push(p.name + " " + fmt(p.values[setting[d]]));
        root.querySelector("[data-role=value" + d + "]").textContent = fmt(p.values[setting[d]]);
        root.querySelector("input[data-param='" + d + "']").value = setting[d];
      });
      status.textContent = parts.join(" \u00b7 ");
      stepInput.value = step;
      while (g.firstChild) { g.removeChild(g.firstChild); }
      var tbl = document.createElement("table");
      var head = document.createElement("tr");
      ["path", "(x, y)"].concat(D.cols).forEach(function (c) { cell(head, c, "th"); });
      var thead = document.createElement("thead");
      thead.appendChild(head);
      tbl.appendChild(thead);
      var body = document.createElement("tbody");
      tbl.appendChild(body);
      D.paths.forEach(function (path) {
        var run = runFor(path);
        if (!run) { return; }
        var n = run.xy.length / 2, k = Math.min(step, n - 1), pts = [];
        for (var j = 0; j <= k; j++) { pts.push(px(run.xy[2 * j], run.xy[2 * j + 1])); }
        var line = el("polyline", {points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "),
          fill: "none", stroke: path.colour, "stroke-width": 2.4, "stroke-linejoin": "round", "data-path": path.name, "data-points": pts.length});
        if (path.dash) { line.setAttribute("stroke-dasharray", path.dash); }
        g.appendChild(line);
        if (pts.length <= 200) {
          pts.forEach(function (p) { g.appendChild(el("circle", {cx: p[0], cy: p[1], r: 1.7, fill: path.colour})); });
        }
        g.appendChild(el("circle", {cx: pts[0][0], cy: pts[0][1], r: 6, fill: "none", stroke: path.colour, "stroke-width": 1.5}));
        var last = pts[pts.length - 1];
        g.appendChild(el("path", {d: "M" + (last[0] - 5) + "," + (last[1] - 5) + "l10,10m0,-10l-10,10", stroke: path.colour, "stroke-width": 2}));
        var row = document.createElement("tr");
        cell(row, path.name + (step > n - 1 ? " (stopped after step " + (n - 1) + ")" : ""));
        cell(row, "(" + fmt(run.xy[2 * k]) + ", " + fmt(run.xy[2 * k + 1]) + ")");
        (run.cells ? run.cells[k] : []).forEach(function (c) { cell(row, c); });
        body.appendChild(row);
      });
      table.replaceChildren(tbl);
    }
    function go(s) {
      step = Math.max(0, Math.min(D.steps, s));
      if (step === D.steps) { stop(); }
      render();
    }
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      play.textContent = "\u25b6 Play";
    }
    var acts = {
      reset: function () { stop(); go(0); },
      back: function () { stop(); go(step - 1); },
      step: function () { go(step + 1); },
      step10: function () { go(step + 10); },
      play: function () {
        if (timer) { stop(); return; }
        if (step === D.steps) { step = 0; }
        play.textContent = "\u2016 Pause";
        timer = setInterval(function () { go(step + 1); }, 120);
      }
    };
    root.querySelectorAll("button[data-act]").forEach(function (b) {
      b.addEventListener("click", acts[b.getAttribute("data-act")]);
    });
    stepInput.addEventListener("input", function () { stop(); go(parseInt(stepInput.value, 10)); });
    root.querySelectorAll("input[data-param]").forEach(function (inp) {
      inp.addEventListener("input", function () {
        setting[parseInt(inp.getAttribute("data-param"), 10)] = parseInt(inp.value, 10);
        render();
      });
    });
    root.querySelectorAll("button, input").forEach(function (c) { c.disabled = false; });
    note.textContent = "Every step was computed by the cell when it ran; these controls replay them in the browser " +
      "(the cell has ended, nothing runs in the kernel). A parameter slider shows the runs made with that setting from the start.";
    root.setAttribute("data-ready", "ready");
    render();
  }
})`
