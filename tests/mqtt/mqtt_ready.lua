-- ready(client, fn): calls fn once every subscription `client` has asked
-- for is in place at the broker. It subscribes to a probe topic of its own
-- and, once connected, publishes to it: the broker handles one client's
-- packets in order and the client makes its subscriptions before it
-- reports `connected`, so the probe's echo comes after their SUBACKs.
-- Another client may then publish and be sure it is heard.
local n = 0
return function(client, fn)
  n = n + 1
  local topic = "lumo-test/ready/" .. client.client_id .. "/" .. n
  local done = false
  client:subscribe(topic, function()
    if done then return end
    done = true
    client:unsubscribe(topic)
    fn()
  end, {qos = 0})
  local function probe() client:publish(topic, "ready", {qos = 0}) end
  if client.connected then
    probe()
  else
    local h
    h = client:on("connected", function()
      h:off()
      probe()
    end)
  end
end
