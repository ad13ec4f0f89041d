-- What the benchmark rules (bench/rules_drain.lua, bench/rules_latency.lua)
-- share: their environment, the /proc readings the C receivers make too,
-- the results lines they have in common, and the end of a run once the feed
-- has gone quiet. A rule loads it with require("rules_common"): lumo puts a
-- rule file's directory first in package.path. It starts nothing when
-- loaded; the rule calls finish_when_quiet.
--
--   BENCH_OUT     results file (default: stdout)
--   BENCH_READY   file created once lumo is up and idle (RSS sampled then)
--   BENCH_QUIET   seconds without a datagram that end the run (default 0.5)
--   BENCH_REPLAY  a capture to replay instead of listening (callgrind runs)
--   BENCH_MAX     seconds after which to stop regardless (default 120)

local M = {
  OUT = os.getenv("BENCH_OUT"),
  READY = os.getenv("BENCH_READY"),
  QUIET = tonumber(os.getenv("BENCH_QUIET") or "") or 0.5,
  REPLAY = os.getenv("BENCH_REPLAY"),
  MAX = tonumber(os.getenv("BENCH_MAX") or "") or 120,
  rss_idle = -1, -- VmRSS in KB once up and idle (set by finish_when_quiet)
}

function M.status_kb(field)
  local f = io.open("/proc/self/status")
  if not f then return -1 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match(field .. ":%s*(%d+)")) or -1
end

-- CPU time of the process in ns (as the C receivers read it).
function M.cpu_ns()
  local f = io.open("/proc/self/schedstat")
  local v = f and tonumber(f:read("n"))
  if f then f:close() end
  return v or -1
end

-- The results file: BENCH_OUT opened for writing, or stdout.
function M.open_out()
  return M.OUT and assert(io.open(M.OUT, "w")) or io.stdout
end

-- The lines every receiver writes after its counts: first, last, cpu_ns
-- and the RSS figures.
function M.write_span(f, first, last, cpu)
  f:write(("first=%.6f\nlast=%.6f\ncpu_ns=%d\n"):format(first or 0, last or 0, cpu))
  f:write(("rss_idle_kb=%d\nrss_end_kb=%d\nhwm_kb=%d\n"):format(
    M.rss_idle, M.status_kb("VmRSS"), M.status_kb("VmHWM")))
end

-- 0.2 s on (lumo up and idle): samples the idle RSS and creates
-- BENCH_READY; then calls finish() once gw has had no datagram for
-- BENCH_QUIET seconds (once some have come), or BENCH_MAX seconds after the
-- call.
function M.finish_when_quiet(gw, finish)
  local started, seen, quiet_since = lumo.now(), 0, nil
  lumo.after(0.2, function()
    M.rss_idle = M.status_kb("VmRSS")
    if M.READY then assert(io.open(M.READY, "w")):close() end
    lumo.every(0.05, function()
      local now, d = lumo.now(), gw.stats.datagrams
      if d ~= seen then
        seen, quiet_since = d, now
      elseif d > 0 and now - quiet_since >= M.QUIET then
        return finish()
      end
      if now - started > M.MAX then finish() end
    end)
  end)
end

return M
