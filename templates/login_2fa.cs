<?cs set:page.title = "Two-factor sign-in" ?>
<?cs include:"header.cs" ?>
<section class="narrow card">
  <h1>Two-factor sign-in</h1>
  <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
  <form method="post" action="/login/2fa">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <label>Code <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus></label>
    <button type="submit">Verify</button>
  </form>
  <form method="post" action="/logout" class="inline">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <button type="submit" class="link">Cancel and sign out</button>
  </form>
</section>
<?cs include:"footer.cs" ?>
