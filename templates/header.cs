<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs if:page.title ?><?cs var:page.title ?> · <?cs /if ?>Gauge</title>
<link rel="stylesheet" href="/static/css/gauge.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Gauge</a>
</header>
<main>
