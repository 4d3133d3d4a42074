-- POST /api/v1/allocate with bookings that never overlap: booking k (over all threads) takes
-- resource k mod N for the k div N-th hour after the base time.
local threads = {}
local next_id = 0

setup = function(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

init = function(args)
  first_resource = tonumber(os.getenv("BENCH_FIRST_RESOURCE"))
  resource_count = tonumber(os.getenv("BENCH_RESOURCES"))
  project = tonumber(os.getenv("BENCH_PROJECT"))
  base = tonumber(os.getenv("BENCH_BASE_EPOCH"))
  thread_count = tonumber(os.getenv("BENCH_THREADS"))
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

request = function()
  local k = counter * thread_count + thread_id
  counter = counter + 1
  local resource = first_resource + (k % resource_count)
  local start = base + math.floor(k / resource_count) * 3600
  local body = string.format(
    '{"project": %d, "items": [{"resource": %d, "from": "%s", "to": "%s"}]}',
    project, resource, os.date("!%Y-%m-%dT%H:%M:%SZ", start),
    os.date("!%Y-%m-%dT%H:%M:%SZ", start + 3600))
  return wrk.format(nil, "/api/v1/allocate/", nil, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected " .. status .. ": " .. body .. "\n")
  end
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
