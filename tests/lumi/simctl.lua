-- Test helper: sends a command line to the `lumo sim lumi` the test runner
-- started (its stdin is the fifo named by LUMI_SIM_CTL), and waits for
-- conditions without blocking the loop.
local M = {}

function M.send(line)
  local path = assert(os.getenv("LUMI_SIM_CTL"), "run me through tests/e2e/test_lumi.sh")
  local f = assert(io.open(path, "w"))
  f:write(line, "\n")
  f:close()
end

-- Calls fn once pred() holds, checking every 20 ms; fails the test after
-- `seconds`.
function M.when(pred, seconds, what, fn)
  local T = require("lumo.testing")
  local deadline = lumo.now() + seconds
  lumo.every(0.02, function(t)
    if pred() then
      t:cancel()
      fn()
    elseif lumo.now() > deadline then
      t:cancel()
      T.ok(false, "timed out waiting for " .. what)
      T.done()
    end
  end)
end

-- Runs the steps in order; each gets a `next` function to call when done.
function M.steps(list)
  local i = 0
  local function next_step()
    i = i + 1
    if list[i] then list[i](next_step) end
  end
  next_step()
end

M.MOTION, M.MAGNET, M.SWITCH, M.HT, M.PLUG =
  "158d0001c2f110", "158d0001d3a221", "158d0001e4b332", "158d0001f5c443", "158d000200d554"
M.PASSWORD = "0987654321qwerty"

return M
