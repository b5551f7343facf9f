<?cs include:"header.cs" ?>
<section class="narrow card">
  <h1>Reset your password</h1>
  <form method="post" action="/reset">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <label>Email <input type="email" name="email" autocomplete="username" required autofocus></label>
    <button type="submit">Send me a link</button>
  </form>
  <p class="small"><a href="/login">Back to sign-in</a></p>
</section>
<?cs include:"footer.cs" ?>
