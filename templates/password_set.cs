<?cs include:"header.cs" ?>
<section class="narrow card">
  <h1><?cs var:page.title ?></h1>
  <form method="post" action="<?cs var:form.action ?>">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
    <label>New password <input type="password" name="password" autocomplete="new-password" required autofocus></label>
    <label>New password again <input type="password" name="password2" autocomplete="new-password" required></label>
    <p class="small">At least 10 characters, at most 72 bytes, and not a common password.</p>
    <button type="submit">Save password</button>
  </form>
</section>
<?cs include:"footer.cs" ?>
