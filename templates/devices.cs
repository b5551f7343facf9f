<?cs include:"header.cs" ?>
<h1>Devices</h1>
<?cs if:subcount(devices) == 0 ?>
<p class="card">No devices yet.<?cs if:user.is_admin ?> Add one below; its key is shown once.<?cs /if ?></p>
<?cs else ?>
<table class="devices">
  <thead><tr><th>Name</th><th>Group</th><th>Last seen (UTC)</th><th>Latest values</th><th></th></tr></thead>
  <tbody>
  <?cs each:d = devices ?>
    <tr>
      <td><a href="/devices/<?cs var:url_escape(d.id) ?>"><?cs var:d.name ?></a></td>
      <td><?cs var:d.group ?></td>
      <td class="mono"><?cs if:d.latest.received ?><?cs var:d.latest.received ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
      <td><?cs each:v = d.latest.values ?><span class="badge"><?cs var:v.name ?> <?cs var:v.value ?></span> <?cs /each ?></td>
      <td><?cs if:d.public ?><span class="badge public" title="Key authentication off: readable by anyone with the id">public</span><?cs /if ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<?cs if:user.is_admin ?>
<section class="card">
  <h2>Add a device</h2>
  <form method="post" action="/devices" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <label>Name <input type="text" name="name" value="<?cs var:form.name ?>" maxlength="100" required></label>
    <label>Group
      <select name="group"><option value="">(none)</option>
      <?cs each:g = groups ?><option value="<?cs var:g.id ?>"><?cs var:g.name ?></option><?cs /each ?>
      </select></label>
    <button type="submit">Add device</button>
  </form>
</section>
<?cs /if ?>
<?cs include:"footer.cs" ?>
