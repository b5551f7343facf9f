<?cs include:"header.cs" ?>
<section class="card narrow">
  <h1>Set up two-factor sign-in</h1>
  <ol>
    <li>Scan this code with an authenticator app (or enter the secret by hand).</li>
    <li>Enter the 6-digit code it shows to confirm.</li>
  </ol>
  <?cs if:totp.qr ?><p class="qr"><img src="<?cs var:totp.qr ?>" alt="QR code for your authenticator app"></p><?cs /if ?>
  <p>Secret: <code class="secret" id="totp-secret"><?cs var:totp.secret ?></code></p>
  <form method="post" action="/profile/2fa">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="confirm">
    <label>Code from the app <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus></label>
    <button type="submit">Confirm and turn on</button>
  </form>
</section>
<?cs include:"footer.cs" ?>
