<?cs include:"header.cs" ?>
<?cs include:"keys.cs" ?>
<h1>Account: <?cs var:acct.name ?></h1>
<section class="card">
  <h2>Users</h2>
  <table class="users">
    <thead><tr><th>Email</th><th>Role</th><th>Two-factor</th><th>Added</th><th></th></tr></thead>
    <tbody>
    <?cs each:u = users ?>
      <tr data-email="<?cs var:u.email ?>">
        <td><?cs var:u.email ?><?cs if:u.me ?> <span class="badge">you</span><?cs /if ?><?cs if:u.has_password == "0" ?> <span class="badge">invited</span><?cs /if ?></td>
        <td>
          <form method="post" class="inline row">
            <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="user_role">
            <input type="hidden" name="user" value="<?cs var:u.id ?>">
            <select name="role">
              <option value="admin"<?cs if:u.role == "admin" ?> selected<?cs /if ?>>Administrator</option>
              <option value="user"<?cs if:u.role == "user" ?> selected<?cs /if ?>>User</option>
              <option value="viewer"<?cs if:u.role == "viewer" ?> selected<?cs /if ?>>Viewer</option>
            </select>
            <button type="submit" class="secondary">Change</button>
          </form>
        </td>
        <td><?cs if:u.totp == "1" ?><span class="badge ok">on</span><?cs else ?><span class="badge">off</span><?cs /if ?></td>
        <td class="mono"><?cs var:u.created ?></td>
        <td>
          <?cs if:u.has_password == "0" ?><form method="post" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
            <input type="hidden" name="action" value="user_link"><input type="hidden" name="user" value="<?cs var:u.id ?>">
            <button type="submit" class="link">New link</button></form><?cs /if ?>
          <?cs if:!u.me ?><form method="post" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
            <input type="hidden" name="action" value="user_remove"><input type="hidden" name="user" value="<?cs var:u.id ?>">
            <button type="submit" class="danger">Remove</button></form><?cs /if ?>
        </td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="user_add">
    <label>Email <input type="email" name="email" required></label>
    <label>Role <select name="role"><option value="viewer">Viewer</option><option value="user" selected>User</option><option value="admin">Administrator</option></select></label>
    <button type="submit">Add user</button>
  </form>
  <p class="small">Viewers only read. Users also manage alert rules. Administrators do everything. A new user gets a one-time link to set their password.</p>
</section>

<div class="grid2">
<section class="card">
  <h2>Two-factor sign-in</h2>
  <?cs if:acct.require_2fa ?>
  <p><span class="badge ok">required</span> Every user must use an authenticator app.</p>
  <form method="post"><input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="require_2fa">
    <input type="hidden" name="require" value="off"><button type="submit" class="secondary">Make it optional</button></form>
  <?cs else ?>
  <p><span class="badge">optional</span></p>
  <form method="post"><input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="require_2fa">
    <input type="hidden" name="require" value="on"><button type="submit">Require it for every user</button></form>
  <?cs /if ?>
</section>

<section class="card">
  <h2>Account API key</h2>
  <table class="keys account-keys">
    <thead><tr><th>Key</th><th>Created</th><th>Last used</th><th>Status</th><th></th></tr></thead>
    <tbody>
    <?cs each:k = keys ?><tr data-key="<?cs var:k.prefix ?>" data-status="<?cs var:k.status ?>">
      <td class="mono"><?cs var:k.prefix ?>…</td><td class="mono"><?cs var:k.created ?></td>
      <td class="mono"><?cs call:key_used(k) ?></td>
      <td><?cs call:key_status(k) ?></td>
      <td><?cs if:k.status == "active" ?><form method="post" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
        <input type="hidden" name="action" value="key_revoke"><input type="hidden" name="key" value="<?cs var:k.id ?>">
        <button type="submit" class="danger">Revoke</button></form><?cs /if ?></td></tr><?cs /each ?>
    </tbody>
  </table>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="key_regenerate">
    <label>Regenerate: the current key keeps working for
      <select name="grace"><?cs call:grace_options(grace_default) ?></select></label>
    <button type="submit">Regenerate…</button>
  </form>
  <p class="small">Every integration that uses the account key needs the new one. You will be asked to confirm.</p>
</section>
</div>

<section class="card">
  <h2>Twilio (SMS alerts)</h2>
  <?cs if:!server_key ?><p class="flash bad">The server key is not configured, so Twilio settings cannot be stored.</p><?cs /if ?>
  <?cs if:twilio.token_set ?><p>Account SID <code><?cs var:twilio.sid ?></code>, sending number <code><?cs var:twilio.from ?></code>, auth token stored encrypted.</p><?cs /if ?>
  <form method="post">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="twilio">
    <label>Account SID <input type="text" name="sid" value="<?cs var:twilio.sid ?>" placeholder="AC…" required></label>
    <label>Auth token <input type="password" name="token" autocomplete="off" placeholder="<?cs if:twilio.token_set ?>stored — enter again to change<?cs /if ?>" required></label>
    <label>Sending number <input type="text" name="from" value="<?cs var:twilio.from ?>" placeholder="+14155550123" required></label>
    <button type="submit">Save Twilio settings</button>
  </form>
  <?cs if:twilio.token_set ?><form method="post"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <input type="hidden" name="action" value="twilio_clear"><button type="submit" class="danger">Remove Twilio settings</button></form><?cs /if ?>
</section>

<section class="card" id="retention">
  <h2>Data retention</h2>
  <?cs if:retention.days ?>
  <p><span class="badge">on</span> Readings older than <strong><?cs var:retention.days ?> days</strong> (by the reading's time) are deleted every hour, unless a device has its own window.</p>
  <?cs else ?>
  <p><span class="badge">off</span> Readings are kept forever, unless a device has its own window.</p>
  <?cs /if ?>
  <form method="post" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="retention">
    <label>Keep readings for <input type="number" name="retention_days" value="<?cs var:retention.days ?>" min="1" max="36500" step="1" placeholder="forever"> days</label>
    <button type="submit">Save retention</button>
  </form>
  <p class="small">1 to 36500 days; leave empty to keep readings forever. Each device's settings may set its own window, which beats this one. Every deletion is in the audit log (by "retention").</p>
<section class="card" id="webhook-secret">
  <h2>Webhook secret</h2>
  <?cs if:!server_key ?><p class="flash bad">The server key is not configured, so no webhook secret can be stored.</p><?cs /if ?>
  <?cs if:webhook.new_secret ?>
  <p class="flash ok">Your new webhook secret. Copy it now: it is shown only this once.</p>
  <p><code class="secret webhook-secret"><?cs var:webhook.new_secret ?></code></p>
  <p class="small">The previous secret no longer signs anything. Put this one into every webhook receiver.</p>
  <?cs elif:webhook.secret_set ?>
  <p><span class="badge ok">set</span> Webhooks are signed with the account's secret, stored encrypted.</p>
  <?cs else ?>
  <p><span class="badge">none</span> Generate a secret before adding a webhook (an https:// URL) as an alert recipient.</p>
  <?cs /if ?>
  <form method="post"><input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="webhook_secret">
    <button type="submit"<?cs if:webhook.secret_set ?> class="secondary"<?cs /if ?>><?cs if:webhook.secret_set ?>Generate a new secret<?cs else ?>Generate a secret<?cs /if ?></button></form>
  <p class="small">Every webhook request carries <code>Gauge-Signature: t=&lt;unix seconds&gt;,v1=&lt;HMAC-SHA256&gt;</code>; see the README for how to check it.</p>
</section>
<?cs include:"footer.cs" ?>
