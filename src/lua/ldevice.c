/* lumo.Device: a rule's handle on a device. The device itself belongs to
 * the engine's registry; the handle holds only its id (or name) and looks
 * it up on every use, so a removed device gives a clear error instead of a
 * dangling pointer, and a handle can be made before the device is seen. */
#include "core/log.h"
#include "core/mem.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_META "lumo.Device"
#define MAX_VALUES 48

typedef struct {
  char ref[64];        /* id or name */
  const device_t *dev; /* ldevice_push_dev: the device it was made for */
  unsigned char by_id; /* ref is known to be the device's id */
} ldevice_t;

static ldevice_t *checkdevice(lua_State *L, int i) {
  return luaL_checkudata(L, i, DEVICE_META);
}

static device_t *lookup(lua_State *L, ldevice_t *d) {
  return registry_find(&runtime_from(L)->eng->devices, d->ref);
}

/* The device, or a Lua error naming it. */
static device_t *need(lua_State *L, ldevice_t *d) {
  device_t *dev = lookup(L, d);
  if (!dev)
    luaL_error(L,
               "device '%s' is not known: not (yet) reported by its gateway, or removed",
               d->ref);
  return dev;
}

/* User value 1: the id as a Lua string, once known (dev.sid is read for
 * nearly every event, and hashing it anew each time showed). */
static ldevice_t *push_new(lua_State *L, const char *id_or_name) {
  ldevice_t *d = lua_newuserdatauv(L, sizeof *d, 1);
  size_t n = strnlen(id_or_name, sizeof d->ref - 1);
  memcpy(d->ref, id_or_name, n);
  d->ref[n] = '\0';
  d->dev = NULL;
  d->by_id = 0;
  luaL_setmetatable(L, DEVICE_META);
  return d;
}

void ldevice_push(lua_State *L, const char *id_or_name) {
  push_new(L, id_or_name);
}

/* The cache maps the device's address to its handle. An address can be
 * reused by a later device, so a hit counts only if the id matches too. */
void ldevice_push_dev(lua_State *L, const device_t *dev) {
  runtime_t *rt = runtime_from(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, rt->devcache);
  if (lua_rawgetp(L, -1, dev) == LUA_TUSERDATA) {
    const ldevice_t *d = lua_touserdata(L, -1);
    if (d->dev == dev && strcmp(d->ref, dev->id) == 0) {
      lua_remove(L, -2);
      return;
    }
  }
  lua_pop(L, 1);
  ldevice_t *d = push_new(L, dev->id);
  d->dev = dev;
  if (strlen(dev->id) < sizeof d->ref) {
    d->by_id = 1;
    lua_pushstring(L, dev->id);
    lua_setiuservalue(L, -2, 1);
  }
  lua_pushvalue(L, -1);
  lua_rawsetp(L, -3, dev);
  lua_remove(L, -2);
}

void lumo_push_values(lua_State *L, const value_t *values, size_t n) {
  runtime_t *rt = runtime_from(L);
  lua_createtable(L, 0, (int)n);
  for (size_t i = 0; i < n; i++) {
    const value_t *v = &values[i];
    if (v->type != VALUE_NUMBER && v->type != VALUE_BOOL && v->type != VALUE_STRING &&
        v->type != VALUE_JSON)
      continue;
    if (v->key_static)
      lstatic_push(L, &rt->strings, v->key);
    else
      lua_pushstring(L, v->key);
    switch (v->type) {
    case VALUE_NUMBER:
      if (v->num == floor(v->num) && fabs(v->num) < 9007199254740992.0)
        lua_pushinteger(L, (lua_Integer)v->num);
      else
        lua_pushnumber(L, v->num);
      break;
    case VALUE_BOOL:
      lua_pushboolean(L, v->num != 0);
      break;
    case VALUE_STRING:
    case VALUE_JSON:
      if (v->str_static && v->str)
        lstatic_push(L, &rt->strings, v->str);
      else
        lua_pushstring(L, v->str ? v->str : "");
      break;
    default:
      break;
    }
    lua_rawset(L, -3);
  }
}

size_t lumo_check_values(lua_State *L, int t, value_t *out, size_t max,
                         const char *fname) {
  t = lua_absindex(L, t);
  luaL_checktype(L, t, LUA_TTABLE);
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "%s: attribute names must be strings", fname);
    if (n == max) luaL_error(L, "%s: more than %d attributes", fname, (int)max);
    value_t *v = &out[n++];
    v->key = lua_tostring(L, -2);
    v->key_static = v->str_static = 0;
    v->str = NULL;
    v->num = 0;
    switch (lua_type(L, -1)) {
    case LUA_TNUMBER:
      v->type = VALUE_NUMBER;
      v->num = lua_tonumber(L, -1);
      break;
    case LUA_TBOOLEAN:
      v->type = VALUE_BOOL;
      v->num = lua_toboolean(L, -1);
      break;
    case LUA_TSTRING:
      v->type = VALUE_STRING;
      v->str = lua_tostring(L, -1);
      break;
    default:
      luaL_error(L, "%s: attribute '%s' must be a number, string or boolean, got %s",
                 fname, v->key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  return n;
}

/* ---- asynchronous results ---- */

typedef struct {
  runtime_t *rt;
  int fn_ref; /* LUA_NOREF: no callback, failures are logged */
  char what[96];
} pending_t;

void *ldevice_callback(lua_State *L, int fn_index, const char *what) {
  int has_fn = fn_index && !lua_isnoneornil(L, fn_index);
  if (has_fn) luaL_checktype(L, fn_index, LUA_TFUNCTION); /* before allocating */
  pending_t *p = mem_calloc(1, sizeof *p);
  p->rt = runtime_from(L);
  p->fn_ref = LUA_NOREF;
  if (has_fn) {
    lua_pushvalue(L, fn_index);
    p->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  snprintf(p->what, sizeof p->what, "%s", what);
  return p;
}

void ldevice_done(void *arg, const char *err, const value_t *values, size_t n) {
  pending_t *p = arg;
  runtime_t *rt = p->rt;
  if (rt->L && p->fn_ref != LUA_NOREF && !rt->closing) {
    lua_State *L = rt->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->fn_ref);
    lua_pushboolean(L, err == NULL);
    if (err)
      lua_pushstring(L, err);
    else if (values)
      lumo_push_values(L, values, n);
    else
      lua_pushnil(L); /* an operation with no result: cb(true) */
    runtime_call(rt, 2, 0, rt->gen, p->what);
  } else if (err && !rt->closing) {
    log_error(NULL, "%s failed: %s", p->what, err);
  }
  ldevice_release(p);
}

void ldevice_release(void *arg) {
  pending_t *p = arg;
  runtime_t *rt = p->rt;
  if (rt->L && p->fn_ref != LUA_NOREF) luaL_unref(rt->L, LUA_REGISTRYINDEX, p->fn_ref);
  free(p);
}

/* ---- methods ---- */

static int start_write(lua_State *L, device_t *dev, const value_t *v, size_t n, int cb,
                       const char *what) {
  if (!dev->ops || !dev->ops->write)
    return luaL_error(L, "device '%s' cannot be written to", dev->id);
  char desc[96];
  snprintf(desc, sizeof desc, "%s %s", what, dev->name ? dev->name : dev->id);
  void *p = ldevice_callback(L, cb, desc);
  if (dev->ops->write(dev, v, n, ldevice_done, p) != 0) {
    ldevice_release(p); /* nothing was started */
    return luaL_error(L,
                      "%s: no password given to lumo.lumi.gateway{password=...}: the "
                      "gateway needs it for writes",
                      desc);
  }
  return 0;
}

/* dev:write{key=value, ...}[, cb] */
static int dev_write(lua_State *L) {
  device_t *dev = need(L, checkdevice(L, 1));
  value_t v[MAX_VALUES];
  size_t n = lumo_check_values(L, 2, v, MAX_VALUES, "dev:write");
  if (n == 0)
    return luaL_error(L,
                      "dev:write: give at least one attribute, e.g. {status = \"on\"}");
  return start_write(L, dev, v, n, 3, "write to");
}

/* dev:read([cb]) */
static int dev_read(lua_State *L) {
  device_t *dev = need(L, checkdevice(L, 1));
  if (!dev->ops || !dev->ops->read)
    return luaL_error(L, "device '%s' cannot be read", dev->id);
  char desc[96];
  snprintf(desc, sizeof desc, "read of %s", dev->name ? dev->name : dev->id);
  dev->ops->read(dev, ldevice_done, ldevice_callback(L, 2, desc));
  return 0;
}

/* The attribute that switches a device: plugs "status", wall switches
 * "channel_N". */
static const char *switch_key(lua_State *L, device_t *dev, int *arg) {
  static const char *const channels[] = {"channel_0", "channel_1"};
  const char *kind = dev->kind ? dev->kind : "";
  int channel = 0;
  if (lua_type(L, *arg) == LUA_TNUMBER) {
    channel = (int)luaL_checkinteger(L, *arg);
    (*arg)++;
  }
  if (strcmp(kind, "plug") == 0) {
    if (channel != 0)
      luaL_error(L, "%s is a plug: it has one channel (0), not %d", dev->id, channel);
    return "status";
  }
  if (strncmp(kind, "ctrl_neutral", 12) == 0) {
    int max = kind[12] == '2' ? 1 : 0;
    if (channel < 0 || channel > max)
      luaL_error(L, "%s has channel%s 0%s, not %d", dev->id, max ? "s" : "",
                 max ? " and 1" : "", channel);
    return channels[channel];
  }
  luaL_error(L, "device '%s' (%s) is not a plug or wall switch: use dev:write{...}",
             dev->id, kind);
  return NULL;
}

static int switch_to(lua_State *L, const char *state) {
  device_t *dev = need(L, checkdevice(L, 1));
  int arg = 2;
  const char *key = switch_key(L, dev, &arg);
  if (strcmp(state, "toggle") == 0) {
    const device_value_t *cur = device_get_value(dev, key);
    state = cur && cur->str && strcmp(cur->str, "on") == 0 ? "off" : "on";
  }
  value_t v = {.key = key, .type = VALUE_STRING, .str = state};
  return start_write(L, dev, &v, 1, arg,
                     strcmp(state, "on") == 0 ? "switching on" : "switching off");
}

/* dev:on(name, fn) subscribes; dev:on([channel][, cb]) switches on. */
static int dev_on(lua_State *L) {
  ldevice_t *d = checkdevice(L, 1);
  if (lua_type(L, 2) == LUA_TSTRING) {
    luaL_checktype(L, 3, LUA_TFUNCTION);
    device_t *dev = lookup(L, d);
    return lumo_subscribe(L, 3, lua_tostring(L, 2), dev ? dev->id : d->ref, NULL, NULL);
  }
  return switch_to(L, "on");
}

static int dev_off(lua_State *L) {
  return switch_to(L, "off");
}

static int dev_toggle(lua_State *L) {
  return switch_to(L, "toggle");
}

static void push_opt(lua_State *L, const char *s) {
  if (s)
    lua_pushstring(L, s);
  else
    lua_pushnil(L);
}

static int is_key(const char *k, size_t n, const char *want) {
  return strlen(want) == n && memcmp(k, want, n) == 0;
}

/* dev.field or dev:method. Upvalues: the metatable (to check the type
 * without a registry lookup by name: this runs for every ev.device.sid) and
 * the methods table. */
static int dev_index(lua_State *L) {
  if (!lua_getmetatable(L, 1) || !lua_rawequal(L, -1, lua_upvalueindex(1)))
    return luaL_typeerror(L, 1, DEVICE_META);
  lua_pop(L, 1);
  ldevice_t *d = lua_touserdata(L, 1);
  size_t n;
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : NULL;
  if (!k) return luaL_typeerror(L, 2, "string");
  if (is_key(k, n, "sid") || is_key(k, n, "id")) {
    /* A handle made from the device's id needs no lookup for it. */
    if (d->by_id && lua_getiuservalue(L, 1, 1) == LUA_TSTRING) return 1;
    const device_t *dev = lookup(L, d);
    lua_pushstring(L, dev ? dev->id : d->ref);
    return 1;
  }
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL) return 1; /* a method */
  lua_pop(L, 1);
  device_t *dev = lookup(L, d);
  if (is_key(k, n, "online")) {
    lua_pushboolean(L, dev && dev->online);
  } else if (!dev) {
    lua_pushnil(L);
  } else if (is_key(k, n, "model")) {
    push_opt(L, dev->model);
  } else if (is_key(k, n, "kind")) {
    push_opt(L, dev->kind);
  } else if (is_key(k, n, "name")) {
    push_opt(L, dev->name);
  } else if (is_key(k, n, "parent") || is_key(k, n, "gateway")) {
    push_opt(L, dev->parent);
  } else if (is_key(k, n, "last_seen")) {
    lua_pushnumber(L, dev->last_seen);
  } else if (is_key(k, n, "state")) {
    /* A fresh table: a copy rules may keep or change freely. */
    lua_createtable(L, 0, (int)dev->nstate);
    for (size_t i = 0; i < dev->nstate; i++) {
      const device_value_t *s = &dev->state[i];
      value_t v = {.key = s->key, .type = s->type, .num = s->num, .str = s->str};
      lumo_push_values(L, &v, 1);
      lua_getfield(L, -1, s->key);
      lua_setfield(L, -3, s->key);
      lua_pop(L, 1);
    }
  } else {
    lua_pushnil(L);
  }
  return 1;
}

static int dev_tostring(lua_State *L) {
  ldevice_t *d = checkdevice(L, 1);
  device_t *dev = lookup(L, d);
  if (!dev)
    lua_pushfstring(L, "lumo.Device %s (not known)", d->ref);
  else
    lua_pushfstring(L, "lumo.Device %s (%s%s%s%s)", dev->id, dev->kind ? dev->kind : "?",
                    dev->name ? ", " : "", dev->name ? dev->name : "",
                    dev->online ? "" : ", offline");
  return 1;
}

static int dev_eq(lua_State *L) {
  ldevice_t *a = checkdevice(L, 1), *b = checkdevice(L, 2);
  device_t *da = lookup(L, a), *db = lookup(L, b);
  lua_pushboolean(L, da ? da == db : strcmp(a->ref, b->ref) == 0);
  return 1;
}

static const luaL_Reg device_methods[] = {
    {"on", dev_on},     {"off", dev_off},     {"toggle", dev_toggle},
    {"read", dev_read}, {"write", dev_write}, {NULL, NULL},
};

static const luaL_Reg device_meta[] = {
    {"__tostring", dev_tostring},
    {"__eq", dev_eq},
    {NULL, NULL},
};

void lumo_open_devices(lua_State *L) {
  lumo_new_type(L, DEVICE_META, device_meta, device_methods, dev_index);
  lua_pop(L, 1);
  lua_newtable(L);
  runtime_from(L)->devcache = luaL_ref(L, LUA_REGISTRYINDEX);
}
