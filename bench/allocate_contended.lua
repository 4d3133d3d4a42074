-- POST /api/v1/allocate for random two-hour windows on a few resources: most requests
-- collide, so the lock queue and the 409 path are what is measured.
local threads = {}

setup = function(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

init = function(args)
  math.randomseed(seed * 7919)
  first_resource = tonumber(os.getenv("BENCH_FIRST_RESOURCE"))
  resource_count = tonumber(os.getenv("BENCH_RESOURCES"))
  project = tonumber(os.getenv("BENCH_PROJECT"))
  base = tonumber(os.getenv("BENCH_BASE_EPOCH"))
  created, conflicts, other = 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

request = function()
  local resource = first_resource + math.random(0, resource_count - 1)
  local start = base + math.random(0, 200) * 1800
  local body = string.format(
    '{"project": %d, "items": [{"resource": %d, "from": "%s", "to": "%s"}]}',
    project, resource, os.date("!%Y-%m-%dT%H:%M:%SZ", start),
    os.date("!%Y-%m-%dT%H:%M:%SZ", start + 7200))
  return wrk.format(nil, "/api/v1/allocate/", nil, body)
end

response = function(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then conflicts = conflicts + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local c, k, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    k = k + thread:get("conflicts")
    o = o + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "created": %d, "conflicts": %d, "other": %d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, c, k, o))
end
