-- Benchmark rule (scripts/bench): latency from datagram to Lua callback at a
-- fixed rate. Each report's data carries its send time, ts (ns since the
-- epoch, a string: the generator's extra attribute, passed through by
-- lumo); the handler records lumo.now() - ts. At the end (the feed quiet
-- for BENCH_QUIET seconds) writes counts and p50/p99/max in whole
-- microseconds, then exits. Environment: see bench/rules_common.lua
-- (BENCH_OUT, BENCH_READY, BENCH_QUIET, BENCH_MAX).

local bench = require("rules_common")
local cpu_ns = bench.cpu_ns

local gw = lumo.lumi.gateway{interface = "127.0.0.1", heartbeat = 1}

local now = lumo.now
-- Latencies go to a histogram of whole microseconds: a few hundred keys,
-- where an array of every sample would grow to 10^5 entries and make each
-- garbage-collection cycle traverse it (a pause of its own in the figures).
local hist, n, first, last, cpu0 = {}, 0, nil, nil, nil

lumo.on("report", function(ev)
  local sid = ev.device.sid
  local data = ev.data
  n = n + 1
  if sid then
    local us = (now() - tonumber(data.ts) * 1e-9) * 1e6 // 1
    if us < 0 then us = 0 elseif us > 1e7 then us = 1e7 end
    hist[us] = (hist[us] or 0) + 1
  end
  if n == 1 then
    first = now()
    cpu0 = cpu_ns()
  end
  last = now()
end)

-- The value at 1-based rank r of the samples in hist.
local function rank(keys, r)
  local seen = 0
  for _, k in ipairs(keys) do
    seen = seen + hist[k]
    if seen >= r then return k end
  end
  return keys[#keys]
end

local function finish()
  local stats = gw.stats
  local cpu = cpu0 and cpu_ns() - cpu0 or 0
  local f = bench.open_out()
  f:write(("receiver=lumo\ndatagrams=%d\nreports=%d\nevents=%d\n"):format(
    stats.datagrams, n, stats.events))
  f:write(("duplicates=%d\nbad=%d\nforeign=%d\n"):format(
    stats.duplicates, stats.bad, stats.foreign))
  bench.write_span(f, first, last, cpu)
  local keys, k = {}, 0
  for us, c in pairs(hist) do
    keys[#keys + 1] = us
    k = k + c
  end
  if k > 0 then
    table.sort(keys)
    f:write(("lat_n=%d\np50_us=%d\np99_us=%d\nmax_us=%d\n"):format(k,
      rank(keys, k // 2 + 1), rank(keys, math.floor(k * 0.99) + 1), keys[#keys]))
  end
  if f ~= io.stdout then f:close() end
  lumo.exit(0)
end

bench.finish_when_quiet(gw, finish)
