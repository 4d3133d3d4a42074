-- POST /api/v1/stock/issue of one unit, of a random item among BENCH_ITEMS consecutive ids.
init = function(args)
  first_item = tonumber(os.getenv("BENCH_FIRST_ITEM"))
  item_count = tonumber(os.getenv("BENCH_ITEMS"))
  location = tonumber(os.getenv("BENCH_LOCATION"))
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

request = function()
  local item = first_item + math.random(0, item_count - 1)
  local body = string.format(
    '{"item": %d, "location": %d, "quantity": "1", "reference": "bench"}', item, location)
  return wrk.format(nil, "/api/v1/stock/issue/", nil, body)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors))
end
