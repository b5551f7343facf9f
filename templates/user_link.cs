<?cs include:"header.cs" ?>
<section class="card">
  <h1>Set-password link for <?cs var:link.email ?></h1>
  <p>We e-mailed this link to <?cs var:link.email ?>. It is shown <strong>only now</strong>, works once, and expires in 72 hours:</p>
  <p class="secret" id="set-password-link"><?cs var:link.url ?></p>
  <p><a class="button" href="/account">Back to the account</a></p>
</section>
<?cs include:"footer.cs" ?>
