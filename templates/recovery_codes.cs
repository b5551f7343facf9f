<?cs include:"header.cs" ?>
<section class="card narrow">
  <h1><?cs if:codes_why == "enabled" ?>Two-factor sign-in is on<?cs else ?>New recovery codes<?cs /if ?></h1>
  <p>Keep these recovery codes somewhere safe. Each works <strong>once</strong> in place of a code from your app. They are shown only now<?cs if:codes_why != "enabled" ?>; your old codes no longer work<?cs /if ?>.</p>
  <ul class="codes" id="recovery-codes"><?cs each:c = codes ?><li><?cs var:c ?></li><?cs /each ?></ul>
  <p><a class="button" href="/devices">Continue</a></p>
</section>
<?cs include:"footer.cs" ?>
