<?cs include:"header.cs" ?>
<p class="small"><a href="/devices">Devices</a> ›</p>
<h1><?cs var:device.name ?> <?cs if:device.public ?><span class="badge public">public</span><?cs /if ?></h1>
<p class="small">Device id <code><?cs var:device.id ?></code><?cs if:device.group ?> · group <?cs var:device.group ?><?cs /if ?>
<?cs if:user.is_admin ?> · <a href="/devices/<?cs var:url_escape(device.id) ?>/settings">Settings and keys</a><?cs /if ?></p>

<?cs if:subcount(alerts) > 0 ?>
<section class="card">
  <h2>Alert state</h2>
  <table class="alert-states">
    <thead><tr><th>Rule</th><th>Channel</th><th>State</th><th>Since</th></tr></thead>
    <tbody><?cs each:a = alerts ?><tr><td><?cs var:a.rule ?></td><td><code><?cs var:a.channel ?></code></td>
      <td><?cs if:a.enabled != "1" ?><span class="badge rule-disabled">disabled</span> sends nothing<?cs elif:a.state == "alarm" ?><span class="badge bad">alarm</span><?cs if:a.acked == "1" ?> acknowledged<?cs /if ?><?cs elif:a.state == "pending" ?><span class="badge public">pending</span><?cs else ?><span class="badge ok">ok</span><?cs /if ?></td>
      <td class="mono"><?cs if:a.since ?><?cs var:a.since ?><?cs else ?>—<?cs /if ?></td></tr><?cs /each ?></tbody>
  </table>
</section>
<?cs /if ?>
<section class="card">
  <div class="chart-controls" id="ranges">
    <button type="button" data-range="3600">1 hour</button>
    <button type="button" data-range="21600">6 hours</button>
    <button type="button" data-range="86400" class="on">1 day</button>
    <button type="button" data-range="604800">1 week</button>
    <button type="button" data-range="2592000">30 days</button>
    <button type="button" data-range="31536000">1 year</button>
    <button type="button" data-pan="-1" title="Earlier">◀</button>
    <button type="button" data-pan="1" title="Later">▶</button>
    <span class="small" id="chart-status"></span>
  </div>
  <div id="chart" data-device="<?cs var:device.id ?>" aria-label="Readings chart"></div>
  <p class="small">Drag across the chart to zoom in; double-click to zoom out. Times are shown in your browser's time zone.</p>
</section>

<div class="grid2">
<section class="card">
  <h2>Download CSV</h2>
  <form method="get" action="/devices/<?cs var:url_escape(device.id) ?>/data" id="csv-form">
    <input type="hidden" name="format" value="csv">
    <input type="hidden" name="order" value="asc">
    <label>From (your time) <input type="datetime-local" name="from" id="csv-from"></label>
    <label>To (your time) <input type="datetime-local" name="to" id="csv-to"></label>
    <p class="small">Leave both empty for the device's whole history.</p>
    <button type="submit">Download CSV</button>
  </form>
</section>

<section class="card">
  <h2>Latest readings</h2>
  <?cs if:subcount(recent) == 0 ?><p class="muted">No readings yet.</p><?cs else ?>
  <table class="recent">
    <thead><tr><th>Time (UTC)</th><th>Values</th></tr></thead>
    <tbody>
    <?cs each:rd = recent ?>
      <tr><td class="mono"><?cs var:rd.ts ?></td>
      <td><?cs each:v = rd.values ?><span class="badge"><?cs var:v.name ?> <?cs var:v.value ?></span> <?cs /each ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs /if ?>
</section>
</div>
<script src="/static/vendor/uplot/uPlot.iife.min.js"></script>
<script src="/static/js/chart.js"></script>
<?cs include:"footer.cs" ?>
