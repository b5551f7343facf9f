-- wrk script: GET with the key in GAUGE_KEY.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GAUGE_KEY")
