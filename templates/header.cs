<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs if:page.title ?><?cs var:page.title ?> · <?cs /if ?>Gauge</title>
<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/css/gauge.css">
<?cs if:page.chart ?><link rel="stylesheet" href="/static/vendor/uplot/uPlot.min.css"><?cs /if ?>
<?cs if:page.api_docs ?><link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"><?cs /if ?>
</head>
<body>
<header class="top">
  <a class="brand" href="/">Gauge</a>
  <?cs if:user.signed_in ?>
  <nav class="main">
    <a href="/devices"<?cs if:nav.devices ?> class="on"<?cs /if ?>>Devices</a>
    <a href="/groups"<?cs if:nav.groups ?> class="on"<?cs /if ?>>Groups</a>
    <?cs if:user.can_edit ?><a href="/alerts"<?cs if:nav.alerts ?> class="on"<?cs /if ?>>Alerts</a><?cs /if ?>
    <?cs if:user.is_admin ?>
    <a href="/account"<?cs if:nav.account ?> class="on"<?cs /if ?>>Account</a>
    <a href="/audit"<?cs if:nav.audit ?> class="on"<?cs /if ?>>Audit log</a>
    <?cs /if ?>
  </nav>
  <div class="who">
    <a href="/profile"<?cs if:nav.profile ?> class="on"<?cs /if ?>><?cs var:user.email ?></a>
    <span class="role"><?cs var:user.role_label ?> · <?cs var:account.name ?></span>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf" value="<?cs var:csrf ?>">
      <button type="submit" class="link">Sign out</button>
    </form>
  </div>
  <?cs /if ?>
</header>
<main>
<?cs if:flash ?><p class="flash ok" role="status"><?cs var:flash ?></p><?cs /if ?>
<?cs if:form.error ?><p class="flash bad" role="alert"><?cs var:form.error ?></p><?cs /if ?>
