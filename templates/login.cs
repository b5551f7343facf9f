<?cs set:page.title = "Sign in" ?>
<?cs include:"header.cs" ?>
<section class="narrow card">
  <h1>Sign in</h1>
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <input type="hidden" name="next" value="<?cs var:form.next ?>">
    <label>Email <input type="email" name="email" value="<?cs var:form.email ?>" autocomplete="username" required autofocus></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit">Sign in</button>
  </form>
  <p class="small"><a href="/reset">Forgot your password?</a></p>
</section>
<?cs include:"footer.cs" ?>
