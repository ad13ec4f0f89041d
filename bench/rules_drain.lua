-- Benchmark rule (scripts/bench): one Lua handler for every Lumi report,
-- reading ev.device.sid and ev.data, as bench/naive_rx.c's handler does.
-- Counts, then writes key=value results and exits once the feed has been
-- quiet for BENCH_QUIET seconds (or, replaying, at "replay_done").
--
--   BENCH_OUT     results file (default: stdout)
--   BENCH_READY   file created once lumo is up and idle (RSS sampled then)
--   BENCH_QUIET   seconds without a datagram that end the run (default 0.5)
--   BENCH_REPLAY  a capture to replay instead of listening (callgrind runs)
--   BENCH_MAX     seconds after which to stop regardless (default 120)

local OUT = os.getenv("BENCH_OUT")
local READY = os.getenv("BENCH_READY")
local QUIET = tonumber(os.getenv("BENCH_QUIET") or "") or 0.5
local REPLAY = os.getenv("BENCH_REPLAY")
local MAX = tonumber(os.getenv("BENCH_MAX") or "") or 120

local function status_kb(field)
  local f = io.open("/proc/self/status")
  if not f then return -1 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match(field .. ":%s*(%d+)")) or -1
end

-- CPU time of the process in ns (as the C receivers read it).
local function cpu_ns()
  local f = io.open("/proc/self/schedstat")
  local v = f and tonumber(f:read("n"))
  if f then f:close() end
  return v or -1
end

local gw
if REPLAY then
  gw = lumo.lumi.gateway{replay = REPLAY}
else
  gw = lumo.lumi.gateway{interface = "127.0.0.1", heartbeat = 1}
end

local n, hits, first, last, cpu0 = 0, 0, nil, nil, nil
local rss_idle = -1

-- The same work as naive_rx's handler; the clock is read for the first
-- event only (the last one's time is the gateway's last_seen: when the last
-- batch of datagrams arrived), as naive_rx reads it outside its handler.
lumo.on("report", function(ev)
  local sid = ev.device.sid
  local data = ev.data
  if sid and data.status then hits = hits + 1 end
  n = n + 1
  if n == 1 then
    first = lumo.now()
    cpu0 = cpu_ns()
  end
end)

local function finish()
  local stats = gw.stats
  local self = gw.device_self
  last = self and self.last_seen
  local cpu = cpu0 and cpu_ns() - cpu0 or 0
  local f = OUT and assert(io.open(OUT, "w")) or io.stdout
  f:write(("receiver=lumo\ndatagrams=%d\nreports=%d\nevents=%d\nhits=%d\n"):format(
    stats.datagrams, n, stats.events, hits))
  f:write(("duplicates=%d\nbad=%d\nforeign=%d\ndevices=%d\n"):format(
    stats.duplicates, stats.bad, stats.foreign, lumo.stats().devices))
  f:write(("first=%.6f\nlast=%.6f\ncpu_ns=%d\n"):format(first or 0, last or 0, cpu))
  f:write(("rss_idle_kb=%d\nrss_end_kb=%d\nhwm_kb=%d\n"):format(
    rss_idle, status_kb("VmRSS"), status_kb("VmHWM")))
  if f ~= io.stdout then f:close() end
  lumo.exit(0)
end

if REPLAY then
  lumo.on("replay_done", finish)
else
  local started, seen, quiet_since = lumo.now(), 0, nil
  lumo.after(0.2, function()
    rss_idle = status_kb("VmRSS")
    if READY then assert(io.open(READY, "w")):close() end
    -- The end: no datagram for QUIET seconds, once some have come.
    lumo.every(0.05, function()
      local now, d = lumo.now(), gw.stats.datagrams
      if d ~= seen then
        seen, quiet_since = d, now
      elseif d > 0 and now - quiet_since >= QUIET then
        return finish()
      end
      if now - started > MAX then finish() end
    end)
  end)
end
