-- wrk script: POST the body in GAUGE_BODY_FILE with the key in GAUGE_KEY.
local f = assert(io.open(os.getenv("GAUGE_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GAUGE_KEY")
