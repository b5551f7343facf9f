</main>
<footer class="bottom">Gauge · industrial sensor data · <a href="/docs/api">API reference</a></footer>
</body>
</html>
