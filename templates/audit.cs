<?cs include:"header.cs" ?>
<h1>Audit log</h1>
<p class="chart-controls">Show:
  <a href="/audit"<?cs if:!filter ?> class="badge ok"<?cs /if ?>>everything</a>
  <?cs each:a = areas ?><a href="/audit?action=<?cs var:url_escape(a) ?>"<?cs if:filter == a ?> class="badge ok"<?cs /if ?>><?cs var:a ?></a> <?cs /each ?>
</p>
<table class="audit">
  <thead><tr><th>When</th><th>Who</th><th>What</th><th>On</th><th>Details</th><th>From</th></tr></thead>
  <tbody>
  <?cs each:e = events ?>
    <tr><td class="mono"><?cs var:e.at ?></td><td><?cs var:e.who ?></td><td><code><?cs var:e.action ?></code></td>
      <td><?cs var:e.type ?> <?cs var:e.target ?></td><td class="detail small mono"><?cs var:e.detail ?><?cs if:e.result ?> → <?cs var:e.result ?><?cs /if ?></td>
      <td class="mono"><?cs var:e.ip ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:older ?><p><a href="/audit?before=<?cs var:older ?><?cs if:filter ?>&amp;action=<?cs var:url_escape(filter) ?><?cs /if ?>">Older events</a></p><?cs /if ?>
<?cs include:"footer.cs" ?>
