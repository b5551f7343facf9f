<?cs include:"header.cs" ?>
<section class="card narrow">
  <h1>Verify an alert</h1>
  <?cs if:genuine ?>
  <p class="flash ok" id="verdict">This message was sent by Gauge.</p>
  <table>
    <tr><th>Alert</th><td><?cs if:event.kind == "clear" ?>Back to normal<?cs elif:event.kind == "reminder" ?>Reminder: still in alarm<?cs elif:event.kind == "no_data" ?>No data<?cs else ?>Alarm<?cs /if ?></td></tr>
    <tr><th>Rule</th><td><?cs var:event.rule ?></td></tr>
    <tr><th>Device</th><td><?cs var:event.device ?></td></tr>
    <tr><th>Channel</th><td><?cs var:event.channel ?></td></tr>
    <tr><th>Value</th><td><?cs var:event.value ?></td></tr>
    <tr><th>Reading time</th><td><?cs var:event.reading_at ?></td></tr>
    <tr><th>Raised</th><td><?cs var:event.sent_at ?></td></tr>
    <tr><th>Sent to</th><td><?cs each:rc = recipients ?><?cs var:rc.to ?> (<?cs var:rc.via ?>)<br><?cs /each ?></td></tr>
  </table>
  <?cs else ?>
  <p class="flash bad" id="verdict">Gauge never sent a message with the code <code><?cs var:code ?></code>. Treat that message as not from Gauge.</p>
  <?cs /if ?>
</section>
<?cs include:"footer.cs" ?>
