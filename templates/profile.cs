<?cs include:"header.cs" ?>
<h1>Your profile</h1>
<p class="small"><?cs var:user.email ?> · <?cs var:user.role_label ?> in <?cs var:account.name ?></p>
<div class="grid2">
<section class="card">
  <h2>Change password</h2>
  <form method="post" action="/profile">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="password">
    <label>Current password <input type="password" name="current_password" autocomplete="current-password" required></label>
    <label>New password <input type="password" name="new_password" autocomplete="new-password" required></label>
    <label>New password again <input type="password" name="new_password2" autocomplete="new-password" required></label>
    <p class="small">At least 10 characters, at most 72 bytes, not a common password. Your other sessions will be ended.</p>
    <button type="submit">Change password</button>
  </form>
</section>
<section class="card">
  <h2>Two-factor sign-in</h2>
  <?cs if:user.totp_enabled ?>
  <p><span class="badge ok">on</span> <?cs var:user.recovery_left ?> recovery codes left.</p>
  <form method="post" action="/profile/2fa">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="recovery">
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit" class="secondary">Make new recovery codes</button>
  </form>
  <form method="post" action="/profile/2fa">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="disable">
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit" class="danger">Turn off two-factor sign-in</button>
  </form>
  <?cs else ?>
  <p><span class="badge">off</span> Protect your account with an authenticator app.</p>
  <p><a class="button" href="/profile/2fa">Set up two-factor sign-in</a></p>
  <?cs /if ?>
</section>
</div>
<section class="card">
  <h2>Active sessions</h2>
  <table>
    <thead><tr><th>Signed in</th><th>Last seen</th><th>From</th><th>Browser</th><th></th></tr></thead>
    <tbody>
    <?cs each:s = sessions ?>
      <tr><td class="mono"><?cs var:s.created ?></td><td class="mono"><?cs var:s.last_seen ?></td><td class="mono"><?cs var:s.ip ?></td>
        <td class="small"><?cs var:s.agent ?></td>
        <td><?cs if:s.current ?><span class="badge ok">this one</span><?cs else ?>
          <form method="post" action="/profile" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
          <input type="hidden" name="action" value="end_session"><input type="hidden" name="session" value="<?cs var:s.id ?>">
          <button type="submit" class="link">End</button></form><?cs /if ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  <form method="post" action="/profile"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <input type="hidden" name="action" value="end_others"><button type="submit" class="secondary">End all other sessions</button></form>
</section>
<?cs include:"footer.cs" ?>
