-- Benchmark rule (scripts/bench): one Lua handler for every Lumi report,
-- reading ev.device.sid and ev.data, as bench/naive_rx.c's handler does.
-- Counts, then writes key=value results and exits once the feed has been
-- quiet for BENCH_QUIET seconds (or, replaying BENCH_REPLAY, at
-- "replay_done"). Environment: see bench/rules_common.lua.

local bench = require("rules_common")
local cpu_ns = bench.cpu_ns

local gw
if bench.REPLAY then
  gw = lumo.lumi.gateway{replay = bench.REPLAY}
else
  gw = lumo.lumi.gateway{interface = "127.0.0.1", heartbeat = 1}
end

local n, hits, first, last, cpu0 = 0, 0, nil, nil, nil

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
  local f = bench.open_out()
  f:write(("receiver=lumo\ndatagrams=%d\nreports=%d\nevents=%d\nhits=%d\n"):format(
    stats.datagrams, n, stats.events, hits))
  f:write(("duplicates=%d\nbad=%d\nforeign=%d\ndevices=%d\n"):format(
    stats.duplicates, stats.bad, stats.foreign, lumo.stats().devices))
  bench.write_span(f, first, last, cpu)
  if f ~= io.stdout then f:close() end
  lumo.exit(0)
end

if bench.REPLAY then
  lumo.on("replay_done", finish)
else
  bench.finish_when_quiet(gw, finish)
end
