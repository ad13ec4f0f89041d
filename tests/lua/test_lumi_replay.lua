-- Replaying a capture through the Lumi driver's receive path: normalised
-- events, newly seen devices joining the registry, bad lines counted.
local T = require("lumo.testing")
T.timeout(10)

local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write([[
# captured on a v1 gateway
{"cmd":"heartbeat","model":"gateway","sid":"34ce00fb7438","short_id":"0","token":"dcw5vsmC3GK5KEoH","data":"{\"ip\":\"172.16.15.100\"}"}
{"cmd":"report","model":"magnet","sid":"158d000116f2bb","short_id":9184,"data":"{\"status\":\"open\"}"}
{"cmd":"report","model":"sensor_ht","sid":"158d0001f5c443","short_id":1,"data":"{\"temperature\":\"2333\",\"humidity\":\"6678\"}"}
{"cmd":"report","model":"weather.v1","sid":"158d0001f5c444","data":"{\"pressure\":\"100180\"}"}
{"cmd":"report","model":"motion","sid":"158d0001c2f110","short_id":2,"data":"{\"no_motion\":\"120\"}"}
{"cmd":"report","model":"switch","sid":"158d0001e4b332","short_id":3,"data":"{\"status\":\"long_click_press\"}"}
{"cmd":"report","model":"plug","sid":"158d000200d554","short_id":4,"data":"{\"status\":\"on\",\"load_power\":\"9.57\"}"}
{"cmd":"report","model":"lumi.new_gadget","sid":"158d0009999999","data":"{\"mystery\":\"42x\"}"}
{"cmd":"report","model":"magnet"
this is not json
{"cmd":"report","model":"magnet","sid":"158d000116f2bb","data":"{broken"}
{"cmd":"report","model":"sensor_magnet.aq2","sid":"158d000116f2bb","params":[{"window_status":"close"}]}
]])
f:close()

local gw = lumo.lumi.gateway{replay = path}
local got = {}
local sub = lumo.on("*", function(ev)
  if ev.device then got[#got + 1] = ev end
end)
local function find(name, sid)
  for _, ev in ipairs(got) do
    if ev.name == name and ev.device.sid == sid then return ev end
  end
end

local done = lumo.on("replay_done", function()
  T.eq(gw.sid, "34ce00fb7438", "the heartbeat introduced the gateway")
  T.ok(find("heartbeat", "34ce00fb7438"), "gateway heartbeat event")
  T.ok(find("open", "158d000116f2bb"), "open")
  T.ok(find("close", "158d000116f2bb"), "close from a v2 params report")
  local ht = find("report", "158d0001f5c443")
  T.eq(ht and ht.data.temperature, 23.33, "temperature hundredths -> degC")
  T.eq(ht and ht.data.humidity, 66.78, "humidity hundredths -> %")
  local w = find("report", "158d0001f5c444")
  T.eq(w and w.data.pressure, 100.18, "pressure Pa -> kPa")
  local nm = find("no_motion", "158d0001c2f110")
  T.eq(nm and nm.data.seconds, 120, "no_motion seconds")
  T.ok(find("long_click_press", "158d0001e4b332"), "long_click_press")
  local on = find("on", "158d000200d554")
  T.eq(on and on.data.load_power, 9.57, "plug load_power as a number")
  local odd = find("report", "158d0009999999")
  T.eq(odd and odd.data.mystery, "42x", "unknown fields pass through")
  T.eq(odd and odd.device.kind, "unknown", "unknown model kept, kind unknown")
  T.eq(odd and odd.device.model, "lumi.new_gadget", "model kept as sent")
  -- Events kept past their handler stay whole; they are read-only.
  T.eq(tostring(on), "lumo.Event on from 158d000200d554", "an event's tostring")
  T.eq(on.data, on.data, "ev.data is one table, made on first read")
  local ok, err = pcall(function() on.extra = 1 end)
  T.ok(not ok and err:find("read%-only"), "writing to an event is an error")
  local copy = on:copy()
  copy.extra = 1
  T.eq(copy.extra, 1, "ev:copy() is a plain table")
  T.eq(copy.data.status, "on", "with the data")
  T.eq(copy.device.sid, "158d000200d554", "and the device")
  copy.data.status = "changed"
  T.eq(on.data.status, "on", "a copy's data is its own")
  local keys = {}
  for k in pairs(on) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, ","), "name,device,model,data,time", "pairs over an event")
  T.ok(require("lumo.inspect")(ht):find("temperature = 23.33", 1, true),
       "lumo.inspect shows an event's fields")
  T.eq(gw.stats.bad, 3, "truncated, non-JSON and bad data string counted")
  T.eq(#gw:devices(), 7, "devices joined the registry as they reported")
  os.remove(path)
  sub:off()
  gw:close()
  T.done_later = true
end)
lumo.after(0, function() end)
-- done() runs after the handler above has removed itself.
lumo.every(0.05, function(t)
  if T.done_later then
    t:cancel()
    done:off()
    T.done()
  end
end)
