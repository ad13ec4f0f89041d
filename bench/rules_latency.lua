-- Benchmark rule (scripts/bench): latency from datagram to Lua callback at a
-- fixed rate. Each report's data carries its send time, ts (ns since the
-- epoch, a string: the generator's extra attribute, passed through by
-- lumo); the handler records lumo.now() - ts. At the end (the feed quiet
-- for BENCH_QUIET seconds) writes counts and p50/p99/max in whole
-- microseconds, then exits. Environment as bench/rules_drain.lua
-- (BENCH_OUT, BENCH_READY, BENCH_QUIET, BENCH_MAX).

local OUT = os.getenv("BENCH_OUT")
local READY = os.getenv("BENCH_READY")
local QUIET = tonumber(os.getenv("BENCH_QUIET") or "") or 0.5
local MAX = tonumber(os.getenv("BENCH_MAX") or "") or 120

local function status_kb(field)
  local f = io.open("/proc/self/status")
  if not f then return -1 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match(field .. ":%s*(%d+)")) or -1
end

local function cpu_ns()
  local f = io.open("/proc/self/schedstat")
  local v = f and tonumber(f:read("n"))
  if f then f:close() end
  return v or -1
end

local gw = lumo.lumi.gateway{interface = "127.0.0.1", heartbeat = 1}

local now = lumo.now
-- Latencies go to a histogram of whole microseconds: a few hundred keys,
-- where an array of every sample would grow to 10^5 entries and make each
-- garbage-collection cycle traverse it (a pause of its own in the figures).
local hist, n, first, last, cpu0 = {}, 0, nil, nil, nil
local rss_idle = -1

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
  local f = OUT and assert(io.open(OUT, "w")) or io.stdout
  f:write(("receiver=lumo\ndatagrams=%d\nreports=%d\nevents=%d\n"):format(
    stats.datagrams, n, stats.events))
  f:write(("duplicates=%d\nbad=%d\nforeign=%d\n"):format(
    stats.duplicates, stats.bad, stats.foreign))
  f:write(("first=%.6f\nlast=%.6f\ncpu_ns=%d\n"):format(first or 0, last or 0, cpu))
  f:write(("rss_idle_kb=%d\nrss_end_kb=%d\nhwm_kb=%d\n"):format(
    rss_idle, status_kb("VmRSS"), status_kb("VmHWM")))
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

local started, seen, quiet_since = lumo.now(), 0, nil
lumo.after(0.2, function()
  rss_idle = status_kb("VmRSS")
  if READY then assert(io.open(READY, "w")):close() end
  lumo.every(0.05, function()
    local t, d = lumo.now(), gw.stats.datagrams
    if d ~= seen then
      seen, quiet_since = d, t
    elseif d > 0 and t - quiet_since >= QUIET then
      return finish()
    end
    if t - started > MAX then finish() end
  end)
end)
