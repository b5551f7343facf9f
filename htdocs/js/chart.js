// chart.js - the device page's time-series chart (uPlot, from npm).
//
// It asks the dashboard's data endpoint for buckets sized so that any
// range, an hour to a year, comes back as a few hundred points computed
// by MongoDB; zooming in (drag) or panning fetches that window again at
// finer resolution.  No inline script: the page's CSP forbids it.
(function () {
  'use strict';
  const el = document.getElementById('chart');
  if (!el || typeof uPlot === 'undefined') return;
  const device = el.dataset.device;
  const status = document.getElementById('chart-status');
  const STEPS = [10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400];
  let range = 86400;
  let end = Date.now();
  let plot = null;
  let seq = 0;

  function interval(seconds) {
    const want = seconds / 300;  // about 300 points across the chart
    const s = STEPS.find((x) => x >= want) || 86400;
    return s % 86400 === 0 ? `${s / 86400}d` : s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
  }

  function toSeries(buckets) {
    const names = [...new Set(buckets.flatMap((b) => Object.keys(b.values)))].sort();
    const xs = buckets.map((b) => Date.parse(b.ts) / 1000);
    const ys = names.map((n) => buckets.map((b) => (n in b.values ? b.values[n] : null)));
    return { names, data: [xs, ...ys] };
  }

  const COLORS = ['#0b6bcb', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#1098ad', '#c2255c', '#5c940d'];

  function draw(names, data) {
    const opts = {
      width: el.clientWidth || 800,
      height: 340,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }))],
      hooks: { setSelect: [(u) => {
        if (u.select.width < 5) return;
        const from = u.posToVal(u.select.left, 'x');
        const to = u.posToVal(u.select.left + u.select.width, 'x');
        range = Math.max(60, to - from);
        end = to * 1000;
        load();
      }] },
    };
    if (plot) plot.destroy();
    plot = new uPlot(opts, data, el);
    el.dataset.points = String(data[0].length);
    el.dataset.series = names.join(',');
  }

  async function load() {
    const mine = ++seq;
    const from = new Date(end - range * 1000).toISOString();
    const to = new Date(end).toISOString();
    status.textContent = 'Loading…';
    const q = new URLSearchParams({ from, to, interval: interval(range), agg: 'avg' });
    try {
      const r = await fetch(`/devices/${encodeURIComponent(device)}/data?${q}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (mine !== seq) return;
      if (!r.ok) throw new Error((await r.json()).message || r.statusText);
      const body = await r.json();
      const { names, data } = toSeries(body.buckets);
      draw(names, data);
      status.textContent = data[0].length ? `${data[0].length} points, ${body.interval} ${body.agg}` : 'No readings in this range.';
      el.dataset.state = 'loaded';
    } catch (e) {
      status.textContent = `Could not load readings: ${e.message}`;
      el.dataset.state = 'error';
    }
  }

  document.getElementById('ranges').addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    if (b.dataset.range) {
      range = Number(b.dataset.range);
      end = Date.now();
      document.querySelectorAll('#ranges button[data-range]').forEach((x) => x.classList.toggle('on', x === b));
    } else if (b.dataset.pan) {
      end = Math.min(Date.now(), end + Number(b.dataset.pan) * range * 500);
    }
    load();
  });
  el.addEventListener('dblclick', () => { range = Math.min(range * 4, 31536000); load(); });
  window.addEventListener('resize', () => plot && plot.setSize({ width: el.clientWidth, height: 340 }));

  // The CSV form's datetime-local fields are in the user's zone: send UTC,
  // and leave empty ones out (an empty from= is an error, not "no bound").
  const form = document.getElementById('csv-form');
  form.addEventListener('submit', () => {
    for (const id of ['csv-from', 'csv-to']) {
      const input = document.getElementById(id);
      input.disabled = true;
      setTimeout(() => { input.disabled = false; }, 0);
      if (input.value) {
        const hidden = document.createElement('input');
        hidden.type = 'hidden';
        hidden.name = input.name;
        hidden.value = new Date(input.value).toISOString();
        form.appendChild(hidden);
        setTimeout(() => hidden.remove(), 0);
      }
    }
  });
  load();
}());
