<?cs set:page.title = error.reason ?>
<?cs include:"header.cs" ?>
<section class="error">
  <h1><?cs var:error.status ?> <?cs var:error.reason ?></h1>
  <p class="message"><?cs var:error.message ?></p>
  <?cs if:request.id ?><p class="small">Reference: <code><?cs var:request.id ?></code></p><?cs /if ?>
  <p><a href="/">Back to the start page</a></p>
</section>
<?cs include:"footer.cs" ?>
