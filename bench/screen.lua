-- One screen's requests, in turn: BENCH_SCREEN is a JSON list of {method, path, body?}.
-- (GraphQL: one POST; REST: the GETs a front end sends for the same screen.)
local calls

init = function(args)
  calls = {}
  for method, path, body in string.gmatch(os.getenv("BENCH_SCREEN"), "([A-Z]+) ([^\n]+)\n([^\n]*)\n") do
    table.insert(calls, {method = method, path = path, body = body})
  end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
  counter = 0
end

request = function()
  local call = calls[(counter % #calls) + 1]
  counter = counter + 1
  local body = nil
  if call.body ~= "" then body = call.body end
  return wrk.format(call.method, call.path, nil, body)
end

dofile("bench/latency.lua")
