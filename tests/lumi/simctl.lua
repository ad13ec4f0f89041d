-- Test helper: sends a command line to the `lumo sim lumi` the test runner
-- started (its stdin is the fifo named by LUMI_SIM_CTL).
local M = {}

function M.send(line)
  local path = assert(os.getenv("LUMI_SIM_CTL"), "run me through tests/e2e/test_lumi.sh")
  local f = assert(io.open(path, "w"))
  f:write(line, "\n")
  f:close()
end

-- Shared with the other test suites (lumo.testing).
M.when = require("lumo.testing").when
M.steps = require("lumo.testing").steps

M.MOTION, M.MAGNET, M.SWITCH, M.HT, M.PLUG =
  "158d0001c2f110", "158d0001d3a221", "158d0001e4b332", "158d0001f5c443", "158d000200d554"
M.PASSWORD = "0987654321qwerty"

return M
