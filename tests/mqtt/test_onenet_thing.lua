-- lumo.onenet with model = "thing" (OneNET Studio) against mosquitto: a
-- post goes out as OneJSON on thing/property/post and its reply is matched
-- by id; a property set and a service call reach on_set / on_invoke and
-- are answered on set_reply / invoke_reply; a short-lived token is renewed
-- by reconnecting before it expires; a 1 MiB message does no harm.
local T = require("lumo.testing")
T.timeout(30)
local env = T.env
local STATE = os.getenv("MQTT_STATE")
local uri = "mqtt://127.0.0.1:" .. env("MQTT_PORT")
local base = "$sys/p1/d1/thing/"

local platform = lumo.mqtt.connect{uri = uri, client_id = "studio", state_dir = STATE}
local posts, replies = {}, {}
platform:subscribe("$sys/+/+/thing/property/post", function(m)
  local body = assert(lumo.json.decode(m.payload))
  posts[#posts + 1] = body
  local ok = type(body.id) == "string" and body.version == "1.0" and type(body.params) == "table"
  platform:publish(m.topic .. "/reply",
                   {id = body.id, code = ok and 200 or 400, msg = ok and "success" or "bad"})
end)
platform:subscribe("$sys/+/+/thing/#", function(m)
  local kind = m.topic:match("(%w+_reply)$")
  if kind then
    local body = lumo.json.decode(m.payload)
    replies[kind .. ":" .. tostring(body and body.id)] = body
  end
end)
local big
platform:subscribe("big/#", function(m) big = #m.payload end)

local cloud = lumo.onenet.connect{product = "p1", device = "d1", key = "MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY=",
                                  model = "thing", uri = uri, state_dir = STATE, lifetime = 63,
                                  interval = 0.1}
local connects, result, sets, invokes = 0, nil, {}, {}
local hc = cloud:on("connected", function() connects = connects + 1 end)
cloud:on_set(function(params, id) sets[#sets + 1] = params; return true end)
cloud:on_invoke(function(params, service, id)
  invokes[#invokes + 1] = service
  if params.level == nil then return nil, "level missing" end
  return true
end)

T.steps{
  function(next) require("mqtt_ready")(platform, next) end, -- the platform hears posts
  function(next) T.when(function() return cloud.connected end, 10, "connected", next) end,
  function(next)
    cloud:post({temp = {v = 23.6, t = 1599534283}, power = true}, function(ok, err) result = ok end)
    T.when(function() return result ~= nil end, 10, "the post's reply", next)
  end,
  function(next)
    T.eq(result, true, "a Studio post accepted (code 200)")
    T.eq(posts[1].params.temp.value, 23.6, "OneJSON value")
    T.eq(posts[1].params.temp.time, 1599534283000, "OneJSON time in ms")
    T.eq(posts[1].params.power.value, 1, "a boolean as 1")
    platform:publish(base .. "property/set", {id = "7", version = "1.0", params = {power = false}})
    platform:publish(base .. "service/dim/invoke", {id = "8", version = "1.0", params = {level = 3}})
    platform:publish(base .. "service/dim/invoke", {id = "9", version = "1.0", params = {}})
    T.when(function()
      return replies["set_reply:7"] and replies["invoke_reply:8"] and replies["invoke_reply:9"]
    end, 10, "the replies", next)
  end,
  function(next)
    T.eq(sets[1].power, false, "on_set got the params")
    T.eq(replies["set_reply:7"].code, 200, "set_reply code")
    T.eq(invokes[1], "dim", "on_invoke got the service name")
    T.eq(replies["invoke_reply:8"].code, 200, "an accepted call answers 200")
    T.eq(replies["invoke_reply:9"].code, 400, "a refused call answers 400")
    T.eq(replies["invoke_reply:9"].msg, "level missing", "with the rule's reason")
    platform:publish("big/x", string.rep("x", 1024 * 1024))
    T.when(function() return big and connects >= 2 end, 15,
           "the big message, and a reconnection with a renewed token (lifetime 63 s)", next)
  end,
  function(next)
    T.eq(big, 1024 * 1024, "a 1 MiB message arrives whole")
    T.ok(connects >= 2, "reconnected to renew the token")
    hc:off()
    cloud:close()
    platform:close()
    T.done()
  end,
}
