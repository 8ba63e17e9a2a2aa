-- wrk script for bench/server.sh. Environment:
--   BENCH_TOKEN    the session token (sent as Authorization: Bearer), empty for nginx
--   BENCH_MODE     read (GET a random patient), page (GET 50 patients), mixed (90 % read, 10 %
--                  POST a treatment session), static (GET BENCH_PATH)
--   BENCH_IDS      a file with one patient id per line
--   BENCH_PATH     the path for static
-- done() prints one line: RESULT requests_per_s p50_ms p99_ms errors
local token = os.getenv("BENCH_TOKEN") or ""
local mode = os.getenv("BENCH_MODE") or "read"
local static_path = os.getenv("BENCH_PATH") or "/"
local ids = {}
local ids_file = os.getenv("BENCH_IDS")
if ids_file and ids_file ~= "" then
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
end

local headers = {}
if token ~= "" then headers["Authorization"] = "Bearer " .. token end
local json_headers = {}
for k, v in pairs(headers) do json_headers[k] = v end
json_headers["Content-Type"] = "application/json"

local session_body = '{"date":"2026-11-03","modality":"microneedling","region":"left_cheek",' ..
                     '"parameters":{"needle_depth_mm":1.5},"notes":"bench"}'

local counter = 0
function setup(thread)
  thread:set("seed", counter)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() + (seed or 0) * 7919)
end

local function patient()
  return ids[math.random(1, #ids)]
end

function request()
  if mode == "static" then
    return wrk.format("GET", static_path, headers)
  elseif mode == "page" then
    return wrk.format("GET", "/api/v1/patients?limit=50", headers)
  elseif mode == "mixed" and math.random() < 0.1 then
    return wrk.format("POST", "/api/v1/patients/" .. patient() .. "/sessions", json_headers, session_body)
  end
  return wrk.format("GET", "/api/v1/patients/" .. patient(), headers)
end

local bad = 0
function response(status, headers, body)
  if status >= 300 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
                 summary.errors.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
  -- The tail, for bench/server_tail.sh: p99.9, the slowest, and how many requests took over 5 ms
  -- and over 10 ms (from the percentile at which the latency passes them: this wrk gives no counts).
  local function over(us)
    if latency.max <= us then return 0 end
    local low, high = 0, 100
    for _ = 1, 40 do
      local middle = (low + high) / 2
      if latency:percentile(middle) > us then high = middle else low = middle end
    end
    return math.floor(summary.requests * (100 - high) / 100 + 0.5)
  end
  local over5, over10 = over(5000), over(10000)
  io.write(string.format("TAIL %.3f %.3f %d %d %d\n", latency:percentile(99.9) / 1000, latency.max / 1000,
                         summary.requests, over5, over10))
end
