-- Plays OneNET's side of the MQTTS suite on a local broker, for the tests
-- and the demo: every data-point post is checked against the platform's
-- schema and answered on .../accepted or .../rejected (err_code 98,
-- "Illegal Data", as the platform does); command responses are collected.
--
-- As a module: local platform = require("onenet_platform").start{uri =, state_dir =,
--   client_id =, clean_session =}
-- As a rule file (the demo): MQTT_URI=mqtt://127.0.0.1:PORT lumo run onenet_platform.lua
local M = {}

-- A post the platform takes: {"id": 1..2^31-1, "dp": {name: [{v, t?}, ...]}}.
-- A stream named reject_me is refused too, for the tests.
function M.valid(body)
  if type(body) ~= "table" or math.type(body.id) ~= "integer" or body.id < 1 then return false end
  if type(body.dp) ~= "table" then return false end
  for name, points in pairs(body.dp) do
    if name == "reject_me" or type(points) ~= "table" or #points == 0 then return false end
    for _, p in ipairs(points) do
      if p.v == nil or (p.t ~= nil and math.type(p.t) ~= "integer") then return false end
    end
  end
  return true
end

function M.start(opts)
  local p = {messages = 0, responses = {}, accepted = 0}
  p.client = lumo.mqtt.connect{uri = opts.uri, client_id = opts.client_id or "platform",
                               state_dir = opts.state_dir, clean_session = opts.clean_session}
  p.client:subscribe("$sys/+/+/dp/post/json", function(m)
    p.messages = p.messages + 1
    local body = lumo.json.decode(m.payload)
    if M.valid(body) then
      p.accepted = p.accepted + 1
      p.client:publish(m.topic .. "/accepted", {id = body.id}, {qos = 0})
      if opts.log then lumo.log.info("[platform] accepted %s", m.payload) end
    else
      p.client:publish(m.topic .. "/rejected",
                       {id = type(body) == "table" and body.id or -1, err_code = 98,
                        err_msg = "Illegal Data"}, {qos = 0})
      if opts.log then lumo.log.info("[platform] rejected %s", m.payload) end
    end
  end, {qos = 1})
  p.client:subscribe("$sys/+/+/cmd/response/+", function(m)
    p.responses[m.topic:match("[^/]+$")] = m.payload
  end)
  -- p.ready: the subscriptions are in place, a device's post will be heard.
  require("mqtt_ready")(p.client, function()
    p.ready = true
    if opts.log then lumo.log.info("[platform] ready") end
  end)
  return p
end

if ... == "onenet_platform" then return M end
M.start{uri = assert(os.getenv("MQTT_URI"), "set MQTT_URI"), state_dir = os.getenv("MQTT_STATE"),
        log = true}
