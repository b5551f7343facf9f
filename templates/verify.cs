<?cs include:"header.cs" ?>
<section class="card narrow">
  <h1>Verify an alert</h1>
  <?cs if:genuine ?>
  <p class="flash ok" id="verdict">This message was sent by Gauge.</p>
  <table>
    <?cs set:silence = (event.kind == "no_data" || event.rule_kind == "no_data") && event.kind != "clear" ?>
    <tr><th>Alert</th><td id="alert-kind"><?cs if:event.kind == "clear" ?>Back to normal<?cs elif:event.kind == "reminder" ?><?cs if:silence ?>Reminder: still no data<?cs else ?>Reminder: still in alarm<?cs /if ?><?cs elif:silence ?>No data<?cs else ?>Alarm<?cs /if ?></td></tr>
    <tr><th>Rule</th><td><?cs var:event.rule ?></td></tr>
    <tr><th>Device</th><td><?cs var:event.device ?></td></tr>
    <tr><th>Channel</th><td><?cs var:event.channel ?></td></tr>
    <?cs if:silence ?>
    <tr><th>Value</th><td id="value">No data since the last reading</td></tr>
    <tr><th>Last reading</th><td class="mono" id="reading-at"><?cs var:event.reading_at ?></td></tr>
    <?cs elif:event.rule_kind == "no_data" ?>
    <tr><th>Data again</th><td class="mono" id="reading-at"><?cs var:event.reading_at ?></td></tr>
    <?cs if:event.since ?><tr><th>Silent since</th><td class="mono" id="since"><?cs var:event.since ?></td></tr><?cs /if ?>
    <?cs else ?>
    <tr><th>Value</th><td id="value"><?cs var:event.value ?></td></tr>
    <tr><th>Reading time</th><td class="mono" id="reading-at"><?cs var:event.reading_at ?></td></tr>
    <?cs if:event.since && event.since != event.reading_at && event.kind != "clear" ?><tr><th>Condition held since</th><td class="mono" id="since"><?cs var:event.since ?></td></tr><?cs /if ?>
    <?cs /if ?>
    <tr><th>Raised</th><td class="mono" id="raised-at"><?cs var:event.raised_at ?></td></tr>
    <tr><th>Messages</th><td id="recipients"><?cs each:rc = recipients ?><span class="recipient"><?cs var:rc.to ?> (<?cs var:rc.via ?>): <span class="badge <?cs var:rc.badge ?>" data-status="<?cs var:rc.status ?>"><?cs var:rc.says ?></span></span><br><?cs /each ?></td></tr>
  </table>
  <?cs else ?>
  <p class="flash bad" id="verdict">Gauge never sent a message with the code <code><?cs var:code ?></code>. Treat that message as not from Gauge.</p>
  <?cs /if ?>
</section>
<?cs include:"footer.cs" ?>
