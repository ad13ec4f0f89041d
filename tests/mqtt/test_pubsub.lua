-- lumo.mqtt against a real mosquitto: publish and subscribe with wildcards,
-- JSON both ways, a non-JSON payload on a JSON subscription, unsubscribe,
-- events, and the errors a rule can make.
local T = require("lumo.testing")
T.timeout(20)
local PORT = assert(os.getenv("MQTT_PORT"), "run me through tests/e2e/test_mqtt.sh")
local STATE = os.getenv("MQTT_STATE")

local mq = lumo.mqtt.connect{uri = "mqtt://127.0.0.1:" .. PORT, client_id = "pubsub",
                             state_dir = STATE}
T.ok(tostring(mq):find("lumo.mqtt.Client pubsub", 1, true), "tostring")
T.eq(mq.client_id, "pubsub", "client_id")

-- Mistakes raise errors that say what to fix.
T.raises(function() lumo.mqtt.connect{} end, "give uri")
T.raises(function() lumo.mqtt.connect{uri = "http://x"} end, "must start with mqtt:// or mqtts://")
T.raises(function() lumo.mqtt.connect{uri = "mqtt://h", bogus = 1} end, "unknown option 'bogus'")
T.raises(function() lumo.mqtt.connect{uri = "mqtt://h:99999"} end, "port must be 1..65535")
T.raises(function() lumo.mqtt.connect{uri = "mqtt://h", tls = {ca = "/x"}} end, "need an mqtts:// uri")
T.raises(function() lumo.mqtt.connect{uri = "mqtts://h", tls = {ca = "/nonexistent.pem"}} end,
         "cannot read the CA file /nonexistent.pem")
T.raises(function() mq:subscribe("a/#/b", function() end) end, "'#' must be the last level")
T.raises(function() mq:subscribe("a+", function() end) end, "'+' must fill a whole level")
T.raises(function() mq:publish("a/+", "x") end, "cannot hold the wildcards")
T.raises(function() mq:publish("a", function() end) end, "payload must be a string or a table")
T.raises(function() mq:publish("a", {f = print}) end, "cannot encode a function as JSON")
T.raises(function() mq:publish("a", "x", {qos = 3}) end, "'qos' must be a whole number from 0 to 2")

local got, json, raw, events = {}, {}, {}, {}
-- A subscription's callback runs with the broker's answer: made before the
-- connection, it waits for it.
local granted = {}
mq:subscribe("home/+/temp", function(m) got[#got + 1] = m.topic .. "=" .. m.payload end,
             function(ok, err) granted[#granted + 1] = ok end)
T.eq(#granted, 0, "not granted before the connection")
T.raises(function() mq:subscribe("x", function() end, {qos = 1}, 5) end, "function expected")
-- Callbacks a client cannot keep: closed, or unsubscribed, before it connects.
local nowhere = lumo.mqtt.connect{uri = "mqtt://127.0.0.1:1", client_id = "nowhere",
                                  state_dir = STATE}
local refused = {}
nowhere:subscribe("a", function() end, {qos = 0}, function(ok, err) refused.a = err end)
nowhere:subscribe("b", function() end, function(ok, err) refused.b = err end)
nowhere:unsubscribe("b")
T.eq(refused.b, "unsubscribed before the connection was made", "unsubscribed while waiting")
nowhere:close()
T.eq(refused.a, "client closed before the broker granted the subscription", "closed while waiting")
mq:subscribe("home/#", function(m) raw[#raw + 1] = m.topic end)
mq:subscribe("json/#", function(m) json[#json + 1] = m.data end, {json = true})
local h1 = mq:on("connected", function(ev) events[#events + 1] = "connected" end)
local h2 = mq:on("message", function(ev)
  if ev.data.topic == "json/bad" then events[#events + 1] = "message:" .. ev.data.payload end
end)
local acked
-- MQTT 5 works the same from a rule.
local v5 = lumo.mqtt.connect{uri = "mqtt://127.0.0.1:" .. PORT, client_id = "pubsub-v5",
                             version = 5, state_dir = STATE}
local v5got
v5:subscribe("v5/#", function(m) v5got = m.payload end)

T.steps{
  function(next) T.when(function() return mq.connected end, 10, "connected", next) end,
  function(next) T.when(function() return granted[1] end, 5, "the subscription granted", next) end,
  function(next)
    T.eq(#granted, 1, "granted once")
    mq:subscribe("later/#", function() end, {qos = 0}, function(ok, err)
      granted.later, granted.err = ok, err
    end)
    T.when(function() return granted.later end, 5, "a subscription made while connected", next)
  end,
  function(next)
    T.eq(granted.err, nil, "cb(true): no second value")
    T.eq(events[1], "connected", "connected event")
    mq:publish("home/lounge/temp", "21.5", {qos = 1}, function(ok, err) acked = ok end)
    mq:publish("home/lounge/humidity", "40", {qos = 0})
    mq:publish("home/kitchen/temp", 19)
    mq:publish("json/x", {a = 1, list = {1, 2, 3}, nested = {ok = true}})
    mq:publish("json/bad", "not { json")
    T.when(function() return v5.connected end, 5, "the MQTT 5 client", function()
      lumo.after(0.3, function() v5:publish("v5/x", "five") end)
    end)
    T.when(function() return #raw >= 3 and #json >= 1 and #events >= 2 and v5got end, 5,
           "messages", next)
  end,
  function(next)
    table.sort(got)
    T.eq(table.concat(got, ","), "home/kitchen/temp=19,home/lounge/temp=21.5",
         "+ matches one level")
    T.eq(#raw, 3, "# matches all below")
    T.eq(acked, true, "the QoS 1 publish was acknowledged")
    T.eq(json[1].a, 1, "json: a table sent as JSON comes back decoded")
    T.eq(json[1].list[3], 3, "json: arrays")
    T.eq(json[1].nested.ok, true, "json: nested objects")
    T.eq(#json, 1, "a non-JSON payload does not reach a json handler")
    T.eq(v5got, "five", "MQTT 5: publish and subscribe")
    v5:close()
    T.eq(events[2], "message:not { json", "but is still a message event")
    T.eq(lumo.json.decode(lumo.json.encode({x = {1, 2}})).x[2], 2, "lumo.json round trip")
    T.eq(mq:unsubscribe("home/+/temp"), true, "unsubscribe")
    T.eq(mq:unsubscribe("nothing/here"), false, "unsubscribe of nothing")
    mq:publish("home/lounge/temp", "22")
    T.when(function() return #raw >= 4 end, 5, "the message after unsubscribe", next)
  end,
  function(next)
    T.eq(#got, 2, "no more messages for the dropped filter")
    h1:off()
    h2:off()
    mq:close()
    T.eq(mq.closed, true, "closed")
    T.raises(function() mq:publish("a", "b") end, "the MQTT client was closed")
    T.done()
  end,
}
