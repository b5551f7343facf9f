<?cs include:"header.cs" ?>
<section class="hero">
  <h1>Gauge</h1>
  <p>Sensor data from your devices, charts for your team, alerts when it matters.</p>
  <ul class="links">
    <li>Devices post readings to <code>/api/v1/devices/{device}/readings</code> with their API key.</li>
    <li>Operators check <a href="/healthz">/healthz</a> for database reachability.</li>
  </ul>
</section>
<?cs include:"footer.cs" ?>
