-- lumo.inspect(value [, opts]) -> a readable, Lua-like string for any value.
-- Tables print with sorted keys, identifiers bare, nested up to opts.depth
-- (default 4) levels, cycles shown as <cycle>. Used by the REPL to print
-- results; rules may use it for logging.

local function is_identifier(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil and
    not ({["and"]=1, ["break"]=1, ["do"]=1, ["else"]=1, ["elseif"]=1, ["end"]=1,
          ["false"]=1, ["for"]=1, ["function"]=1, ["goto"]=1, ["if"]=1, ["in"]=1,
          ["local"]=1, ["nil"]=1, ["not"]=1, ["or"]=1, ["repeat"]=1, ["return"]=1,
          ["then"]=1, ["true"]=1, ["until"]=1, ["while"]=1})[s]
end

local type_order = {number = 1, string = 2, boolean = 3}

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    return (type_order[ta] or 9) < (type_order[tb] or 9) or
      ((type_order[ta] or 9) == (type_order[tb] or 9) and ta < tb)
  end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v):gsub("\\\n", "\\n") end
  if t == "number" and math.type(v) == "float" and v == math.floor(v) and
     v > -1e15 and v < 1e15 then
    return string.format("%.1f", v)
  end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  return nil
end

local function inspect(value, opts)
  local max_depth = opts and opts.depth or 4
  local seen = {}
  local out = {}

  local function put(v, depth)
    local s = scalar(v)
    if s then out[#out + 1] = s; return end
    local mt = getmetatable(v)
    if type(mt) == "table" and mt.__name == "lumo.Event" then
      v = v:copy() -- shown as the table it copies to
      mt = nil
    end
    if type(mt) == "table" and mt.__tostring then out[#out + 1] = tostring(v); return end
    if type(v) ~= "table" then
      out[#out + 1] = "<" .. tostring(v) .. ">"
      return
    end
    if seen[v] then out[#out + 1] = "<cycle>"; return end
    if depth >= max_depth then out[#out + 1] = "{...}"; return end
    seen[v] = true
    local n = #v
    local keys = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
    end
    table.sort(keys, key_less)
    out[#out + 1] = "{"
    local first = true
    local function sep()
      if not first then out[#out + 1] = ", " end
      first = false
    end
    for i = 1, n do sep(); put(v[i], depth + 1) end
    for _, k in ipairs(keys) do
      sep()
      if is_identifier(k) then
        out[#out + 1] = k
      else
        out[#out + 1] = "["; put(k, depth + 1); out[#out + 1] = "]"
      end
      out[#out + 1] = " = "
      put(v[k], depth + 1)
    end
    out[#out + 1] = "}"
    seen[v] = nil
  end

  put(value, 0)
  return table.concat(out)
end

return inspect
