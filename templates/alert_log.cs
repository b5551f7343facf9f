<?cs include:"header.cs" ?>
<h1>Alert log</h1>
<p class="small"><a href="/alerts">Alert rules</a> · Every message carries a code anyone can check at /verify/&lt;code&gt;.</p>
<table class="alert-log">
  <thead><tr><th>When</th><th>What</th><th>Device</th><th>Reading</th><th>Delivery</th><th></th></tr></thead>
  <tbody>
  <?cs each:e = events ?>
  <tr>
    <td class="mono"><?cs var:e.at ?></td>
    <td><?cs if:e.kind == "alarm" ?><span class="badge bad">alarm</span><?cs elif:e.kind == "clear" ?><span class="badge ok">back to normal</span><?cs else ?><span class="badge"><?cs var:e.kind ?></span><?cs /if ?> <?cs var:e.rule ?></td>
    <td><?cs var:e.device ?></td>
    <td><code><?cs var:e.channel ?></code> <?cs if:e.rule_kind == "no_data" ?>no data since <?cs if:e.reading_at ?><span class="mono"><?cs var:e.reading_at ?></span><?cs else ?>the rule began<?cs /if ?><?cs else ?><?cs var:e.value ?><?cs if:e.reading_at ?> <span class="small mono">at <?cs var:e.reading_at ?></span><?cs /if ?><?cs /if ?></td>
    <td class="small"><?cs var:e.deliveries ?><br><a href="/verify/<?cs var:e.code ?>" class="mono"><?cs var:e.code ?></a></td>
    <td><?cs if:e.acked_at ?><span class="small acked">acknowledged by <?cs var:e.acked_by ?> at <span class="mono"><?cs var:e.acked_at ?></span></span><?cs /if ?><?cs if:e.ackable == "1" && user.can_edit ?><form method="post" action="/alerts/log" class="inline">
      <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="rule" value="<?cs var:e.rule_id ?>">
      <input type="hidden" name="device" value="<?cs var:e.device_id ?>"><button type="submit">Acknowledge</button></form><?cs /if ?></td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs include:"footer.cs" ?>
