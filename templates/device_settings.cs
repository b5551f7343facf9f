<?cs include:"header.cs" ?>
<?cs include:"keys.cs" ?>
<p class="small"><a href="/devices">Devices</a> › <a href="/devices/<?cs var:url_escape(device.id) ?>"><?cs var:device.name ?></a> ›</p>
<h1>Settings: <?cs var:device.name ?></h1>
<div class="grid2">
<section class="card">
  <h2>Name and group</h2>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="rename">
    <label>Name <input type="text" name="name" value="<?cs var:device.name ?>" maxlength="100" required></label>
    <button type="submit">Rename</button>
  </form>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="move">
    <label>Group
      <select name="group"><option value="">(none)</option>
      <?cs each:g = groups ?><option value="<?cs var:g.id ?>"<?cs if:g.id == device.group_id ?> selected<?cs /if ?>><?cs var:g.name ?></option><?cs /each ?>
      </select></label>
    <button type="submit">Move</button>
  </form>
</section>
<section class="card">
  <h2>Key authentication</h2>
  <?cs if:device.public ?>
  <p><span class="badge public">off</span> Anyone who knows the device id <code><?cs var:device.id ?></code> can read its data (never write it).</p>
  <form method="post"><input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="public">
    <input type="hidden" name="public" value="off"><button type="submit">Require a key again</button></form>
  <?cs else ?>
  <p><span class="badge ok">on</span> Reading and writing need a key.</p>
  <form method="post"><input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="public">
    <input type="hidden" name="public" value="on"><button type="submit" class="secondary">Turn off: make readable by anyone with the id</button></form>
  <?cs /if ?>
</section>
</div>

<section class="card" id="retention">
  <h2>Data retention</h2>
  <?cs if:device.retention_days ?>
  <p><span class="badge">own window</span> Readings older than <strong><?cs var:device.retention_days ?> days</strong> (by the reading's time) are deleted every hour.</p>
  <?cs elif:account_retention_days ?>
  <p><span class="badge">account default</span> Readings older than <strong><?cs var:account_retention_days ?> days</strong> are deleted every hour (the account's setting).</p>
  <?cs else ?>
  <p><span class="badge">off</span> Readings are kept forever (the account's setting).</p>
  <?cs /if ?>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="retention">
    <label>Keep this device's readings for <input type="number" name="retention_days" value="<?cs var:device.retention_days ?>" min="1" max="36500" step="1" placeholder="account default"> days</label>
    <button type="submit">Save retention</button>
  </form>
  <p class="small">1 to 36500 days, which beats the account's default; leave empty to follow the account. Every deletion is in the audit log (by "retention").</p>
</section>

<section class="card">
  <h2>Keys</h2>
  <table class="keys">
    <thead><tr><th>Key</th><th>Created</th><th>Last used</th><th>Status</th><th></th></tr></thead>
    <tbody>
    <?cs each:k = keys ?>
      <tr data-key="<?cs var:k.prefix ?>" data-status="<?cs var:k.status ?>">
        <td class="mono"><?cs var:k.prefix ?>…</td>
        <td class="mono"><?cs var:k.created ?></td>
        <td class="mono"><?cs call:key_used(k) ?></td>
        <td><?cs call:key_status(k) ?></td>
        <td><?cs if:k.status == "active" ?>
          <form method="post" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
            <input type="hidden" name="action" value="key_revoke"><input type="hidden" name="key" value="<?cs var:k.id ?>">
            <button type="submit" class="danger">Revoke</button></form><?cs /if ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="key_rotate">
    <label>Rotate: the old keys keep working for
      <select name="grace"><?cs call:grace_options(grace_default) ?></select></label>
    <button type="submit">Rotate key</button>
  </form>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="key_new">
    <button type="submit" class="secondary">Add another key</button>
  </form>
</section>

<section class="card">
  <h2>Delete this device</h2>
  <p>This deletes the device, its keys and <strong>all its readings</strong>. It cannot be undone.</p>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="delete">
    <label>Type the device's name to confirm <input type="text" name="confirm" autocomplete="off" required></label>
    <button type="submit" class="danger">Delete device and readings</button>
  </form>
</section>
<?cs include:"footer.cs" ?>
