</main>
<footer class="bottom">Gauge · industrial sensor data</footer>
</body>
</html>
