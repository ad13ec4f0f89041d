-- OneNET posts made while the broker is down: they wait, go out once the
-- device is connected and subscribed again, and every callback gets the
-- platform's answer (none times out because its reply came too early).
local T = require("lumo.testing")
T.timeout(60)
local env = T.env
local BROKER, DIR, STATE = env("BROKER"), env("MQTT_DIR"), os.getenv("MQTT_STATE")
local function broker(cmd)
  assert(os.execute(BROKER .. " " .. cmd .. " " .. DIR .. " >/dev/null"), "broker " .. cmd)
end

-- A platform with a persistent session, so that its subscription outlives
-- the broker's restart.
local P = require("onenet_platform").start{uri = "mqtt://127.0.0.1:" .. env("MQTT_PORT"),
                                           client_id = "platform-offline",
                                           clean_session = false, state_dir = STATE}
local cloud = lumo.onenet.connect{product = "469948", device = "Chic_D", method = "sha1",
                                  key = "rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U=",
                                  expires = tonumber(env("ONENET_ET")), state_dir = STATE,
                                  uri = "mqtt://127.0.0.1:" .. env("MQTT_AUTH_PORT"),
                                  interval = 0.2}
local answers = {}

-- A device that never gets through keeps at most max_queued posts: the
-- oldest are dropped, and their callbacks told at once.
local stuck = lumo.onenet.connect{product = "469948", device = "stuck", key = "MTIzNA==",
                                  uri = "mqtt://127.0.0.1:1", max_queued = 3,
                                  state_dir = (STATE or os.tmpname()) .. "-stuck"}
local dropped = {}
for i = 1, 5 do
  stuck:post({n = i}, function(ok, err) dropped[#dropped + 1] = i .. ":" .. tostring(err) end)
end
T.eq(#dropped, 2, "two of five posts dropped with max_queued = 3")
T.ok(dropped[1]:find("^1:dropped: too many posts waited"), "the oldest first: " .. dropped[1])
T.ok(dropped[2]:find("^2:dropped"), "then the next: " .. tostring(dropped[2]))
T.raises(function() lumo.onenet.connect{product = "1", device = "d", key = "MTIzNA==",
                                        max_queued = 0} end, "'max_queued' must be a number")
stuck:close()

T.steps{
  function(next)
    T.when(function() return cloud.connected and P.ready end, 10,
           "the device and the platform's subscriptions", next)
  end,
  function(next)
    broker("stop")
    T.when(function() return not cloud.connected end, 10, "the device to notice", next)
  end,
  function(next)
    for i = 1, 5 do
      cloud:post({temperature = 20 + i}, function(ok, err) answers[#answers + 1] = ok or err end)
    end
    T.eq(#answers, 0, "no answer while the broker is down")
    broker("restart")
    T.when(function() return #answers == 5 end, 40, "the 5 posts' answers", next)
  end,
  function(next)
    for i, a in ipairs(answers) do T.eq(a, true, "post " .. i .. " accepted after the restart") end
    T.ok(P.accepted >= 1, "the platform took them (" .. P.accepted .. " messages)")
    cloud:close()
    P.client:close()
    T.done()
  end,
}
