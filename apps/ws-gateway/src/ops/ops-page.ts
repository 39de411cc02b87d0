/**
 * The ops page itself: one self-contained HTML document (no build step, no dependencies) that
 * asks for an admin token, polls /ops/api/snapshot every 2 s and draws the figures with small
 * SVG line charts from the history it keeps. Everything it shows is set with textContent.
 */
export const OPS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relay ops</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2433; background: #f4f6fa; }
  body { margin: 0; padding: 16px 24px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 14px; margin: 0 0 8px; color: #4a5568; text-transform: uppercase; letter-spacing: .04em; }
  .muted { color: #6b7385; font-size: 13px; }
  .status { margin: 8px 0 16px; padding: 6px 10px; border-radius: 6px; font-size: 13px; display: inline-block; }
  .status[data-state="ok"] { background: #e3f6e8; color: #1d6b35; }
  .status[data-state="unauthorized"], .status[data-state="error"] { background: #fde8e8; color: #9b1c1c; }
  .status[data-state="prometheus-down"], .status[data-state="loading"] { background: #fff4dc; color: #8a5a00; }
  .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin-bottom: 16px; }
  .figure, .panel { background: #fff; border-radius: 8px; padding: 10px 12px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  .figure .value { font-size: 22px; font-weight: 600; }
  .figure .label { font-size: 12px; color: #6b7385; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  td, th { text-align: left; padding: 3px 4px; border-bottom: 1px solid #edf0f5; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .state-closed { color: #1d6b35; } .state-half-open { color: #8a5a00; } .state-open { color: #9b1c1c; font-weight: 600; }
  svg { width: 100%; height: 90px; background: #fbfcfe; border-radius: 4px; }
  .legend { font-size: 12px; color: #6b7385; }
  form { margin: 12px 0; } input { width: 420px; max-width: 100%; padding: 6px; }
</style>
</head>
<body>
<h1>Relay ops</h1>
<div class="muted">served by gateway <span data-testid="ops-gateway">?</span>; cluster figures from Prometheus, refreshed every 2 s</div>
<form data-testid="ops-login" hidden>
  <label>Token of an OPS_ADMINS user <input data-testid="ops-token" type="password" autocomplete="off"></label>
  <button data-testid="ops-token-submit" type="submit">Open</button>
</form>
<div class="status" data-testid="ops-status" data-state="loading">loading</div>
<div class="figures" id="figures"></div>
<div class="grid">
  <div class="panel"><h2>Connections</h2><svg data-testid="chart" data-name="connections" viewBox="0 0 300 90" preserveAspectRatio="none"></svg><div class="legend" id="legend-connections"></div></div>
  <div class="panel"><h2>Messages per second</h2><svg data-testid="chart" data-name="rates" viewBox="0 0 300 90" preserveAspectRatio="none"></svg><div class="legend" id="legend-rates"></div></div>
  <div class="panel"><h2>Send latency (ms)</h2><svg data-testid="chart" data-name="latency" viewBox="0 0 300 90" preserveAspectRatio="none"></svg><div class="legend" id="legend-latency"></div></div>
  <div class="panel"><h2>Gateways</h2><table><thead><tr><th>instance</th><th>connections</th></tr></thead><tbody id="gateways"></tbody></table></div>
  <div class="panel"><h2>Busiest rooms on this gateway</h2><table><thead><tr><th>room</th><th>members here</th></tr></thead><tbody id="rooms"></tbody></table></div>
  <div class="panel"><h2>Circuit breakers</h2><table><thead><tr><th>instance</th><th>towards</th><th>state</th></tr></thead><tbody id="breakers"></tbody></table></div>
</div>
<script>
(function () {
  var HISTORY = 90;
  var COLORS = ['#2563eb', '#db2777', '#059669'];
  var points = [];
  var token = null;
  var timer = null;
  var $ = function (id) { return document.getElementById(id); };

  function readToken() {
    var m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem('relay-ops-token', decodeURIComponent(m[1]));
      // Out of the address bar (and the browser history) at once.
      window.history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('relay-ops-token');
  }

  function setStatus(state, text) {
    var s = document.querySelector('[data-testid="ops-status"]');
    s.dataset.state = state;
    s.textContent = text;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return Number(v).toFixed(digits === undefined ? 0 : digits);
  }

  function row(tbody, attrs, cells) {
    var tr = document.createElement('tr');
    Object.keys(attrs).forEach(function (k) { tr.dataset[k] = attrs[k]; });
    cells.forEach(function (c) {
      var td = document.createElement('td');
      td.textContent = c.text;
      if (c.num) td.className = 'num';
      if (c.cls) td.className = c.cls;
      if (c.name) td.dataset.name = c.name;
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }

  function figures(list) {
    var box = $('figures');
    box.textContent = '';
    list.forEach(function (f) {
      var d = document.createElement('div');
      d.className = 'figure';
      d.dataset.testid = 'figure';
      d.dataset.name = f.name;
      var v = document.createElement('div'); v.className = 'value'; v.textContent = f.value;
      var l = document.createElement('div'); l.className = 'label'; l.textContent = f.label;
      d.appendChild(v); d.appendChild(l); box.appendChild(d);
    });
  }

  function chart(name, series) {
    var svg = document.querySelector('svg[data-name="' + name + '"]');
    var legend = $('legend-' + name);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    legend.textContent = '';
    var max = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > max) max = v; }); });
    if (max <= 0) max = 1;
    series.forEach(function (s, i) {
      var pts = [];
      s.values.forEach(function (v, j) {
        if (v === null) return;
        var x = s.values.length === 1 ? 0 : (j / (HISTORY - 1)) * 300;
        var y = 86 - (v / max) * 80;
        pts.push(x.toFixed(1) + ',' + y.toFixed(1));
      });
      var line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('points', pts.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', COLORS[i % COLORS.length]);
      line.setAttribute('stroke-width', '2');
      line.dataset.series = s.name;
      line.setAttribute('data-points', String(pts.length));
      svg.appendChild(line);
      var last = s.values.length ? s.values[s.values.length - 1] : null;
      var span = document.createElement('span');
      span.style.color = COLORS[i % COLORS.length];
      span.textContent = s.name + ' ' + fmt(last, s.digits) + '  ';
      legend.appendChild(span);
    });
  }

  function render(snap) {
    document.querySelector('[data-testid="ops-gateway"]').textContent = snap.gateway;
    var c = snap.cluster;
    var totalConnections = c.ok ? c.gateways.reduce(function (a, g) { return a + g.connections; }, 0) : snap.local.connections;
    points.push({
      connections: totalConnections,
      sends: c.ok ? c.sendsPerSec : null,
      deliveries: c.ok ? c.deliveriesPerSec : null,
      p50: c.ok ? c.sendP50Ms : null,
      p99: c.ok ? c.sendP99Ms : null,
    });
    if (points.length > HISTORY) points.shift();
    var col = function (k) { return points.map(function (h) { return h[k]; }); };

    figures([
      { name: 'connections', label: c.ok ? 'connections (all gateways)' : 'connections (this gateway)', value: fmt(totalConnections) },
      { name: 'sends', label: 'sends / s', value: c.ok ? fmt(c.sendsPerSec, 1) : '–' },
      { name: 'deliveries', label: 'deliveries / s', value: c.ok ? fmt(c.deliveriesPerSec, 1) : '–' },
      { name: 'p50', label: 'send p50 (ms)', value: c.ok ? fmt(c.sendP50Ms, 1) : '–' },
      { name: 'p99', label: 'send p99 (ms)', value: c.ok ? fmt(c.sendP99Ms, 1) : '–' },
      { name: 'sessions', label: 'presence sessions', value: c.ok ? fmt(c.presence.sessions) : '–' },
      { name: 'online', label: 'users online', value: c.ok ? fmt(c.presence.onlineUsers) : '–' },
      { name: 'rooms', label: 'rooms on this gateway', value: fmt(snap.local.rooms) },
    ]);
    chart('connections', [{ name: 'connections', values: col('connections') }]);
    chart('rates', [{ name: 'sends/s', values: col('sends'), digits: 1 }, { name: 'deliveries/s', values: col('deliveries'), digits: 1 }]);
    chart('latency', [{ name: 'p50', values: col('p50'), digits: 1 }, { name: 'p99', values: col('p99'), digits: 1 }]);

    var gw = $('gateways'); gw.textContent = '';
    if (c.ok) c.gateways.forEach(function (g) { row(gw, { testid: 'gateway-row', instance: g.instance }, [{ text: g.instance }, { text: fmt(g.connections), num: true, name: 'connections' }]); });
    var rooms = $('rooms'); rooms.textContent = '';
    snap.local.topRooms.forEach(function (r) { row(rooms, { testid: 'room-row', room: r.room }, [{ text: r.room }, { text: fmt(r.members), num: true, name: 'members' }]); });
    var br = $('breakers'); br.textContent = '';
    if (c.ok) c.breakers.forEach(function (b) {
      row(br, { testid: 'breaker-row', instance: b.instance, breaker: b.breaker, state: b.state }, [{ text: b.instance }, { text: b.breaker }, { text: b.state, cls: 'state-' + b.state }]);
    });
    if (c.ok) setStatus('ok', 'live, ' + new Date(snap.at).toLocaleTimeString());
    else setStatus('prometheus-down', 'cluster figures unavailable: ' + c.error);
  }

  function poll() {
    fetch('/ops/api/snapshot', { headers: { authorization: 'Bearer ' + token }, cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) {
          return res.json().then(function (b) {
            sessionStorage.removeItem('relay-ops-token');
            stop();
            setStatus('unauthorized', b.message || 'not authorized');
            document.querySelector('[data-testid="ops-login"]').hidden = false;
          });
        }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json().then(render);
      })
      .catch(function (err) { setStatus('error', 'gateway unreachable: ' + err.message); });
  }

  function stop() { if (timer) clearInterval(timer); timer = null; }
  function start() { stop(); poll(); timer = setInterval(poll, 2000); }

  document.querySelector('[data-testid="ops-login"]').addEventListener('submit', function (e) {
    e.preventDefault();
    token = document.querySelector('[data-testid="ops-token"]').value.trim();
    if (!token) return;
    sessionStorage.setItem('relay-ops-token', token);
    document.querySelector('[data-testid="ops-login"]').hidden = true;
    points.length = 0;
    start();
  });

  token = readToken();
  if (token) start();
  else {
    setStatus('unauthorized', 'enter a token');
    document.querySelector('[data-testid="ops-login"]').hidden = false;
  }
})();
</script>
</body>
</html>
`;
