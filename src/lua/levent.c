/* lumo.Event: what a handler receives. One small userdata per delivery that
 * holds its own copy of the event (name, device, model, time, the values),
 * so a rule may keep it as long as it likes; `ev.data` becomes a Lua table
 * only when a rule reads it, and the same table every time after that.
 *
 * Why not a plain table: a table with five fields and a data table per
 * event, for every handler, was most of what an event cost in Lua (two
 * tables, a dozen sets, the garbage). The price: an event is read-only
 * (ev.x = 1 is an error), and ev:copy() gives a plain table for code that
 * wants one. */
#include "core/bus.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <stdint.h>
#include <string.h>

#define EVENT_META "lumo.Event"

typedef struct {
  double time;
  const char *name, *device, *model; /* into buf; device/model may be NULL */
  /* The registry's device while the event is being delivered (a key into
   * the handle cache); never dereferenced after (see current()). */
  const device_t *dev;
  int device_payload; /* data comes from values (else from the user value) */
  size_t nvalues;
  value_t *values; /* into buf */
  _Alignas(value_t) char buf[];
} levent_t;

/* Copies s into *at, advancing it. */
static const char *copy(char **at, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  memcpy(*at, s, n);
  const char *r = *at;
  *at += n;
  return r;
}

static size_t size_of(const char *s) {
  return s ? strlen(s) + 1 : 0;
}

const void *levent_push(lua_State *L, const bus_event_t *ev) {
  runtime_t *rt = runtime_from(L);
  const device_payload_t *p =
      ev->payload_kind == PAYLOAD_DEVICE ? (const device_payload_t *)ev->payload : NULL;
  size_t nv = p ? p->nvalues : 0;
  size_t bytes = size_of(ev->name) + size_of(ev->device) + size_of(ev->model);
  for (size_t i = 0; i < nv; i++) {
    const value_t *v = &p->values[i];
    if (!v->key_static) bytes += strlen(v->key) + 1;
    if ((v->type == VALUE_STRING || v->type == VALUE_JSON) && !v->str_static)
      bytes += size_of(v->str);
  }
  levent_t *e = lua_newuserdatauv(L, sizeof *e + nv * sizeof(value_t) + bytes, 1);
  e->time = ev->time;
  e->device_payload = p != NULL;
  e->dev = p ? p->dev : NULL;
  e->nvalues = nv;
  e->values = (value_t *)e->buf;
  char *at = e->buf + nv * sizeof(value_t);
  e->name = copy(&at, ev->name);
  e->device = copy(&at, ev->device);
  e->model = copy(&at, ev->model);
  for (size_t i = 0; i < nv; i++) {
    const value_t *v = &p->values[i];
    value_t *c = &e->values[i];
    *c = *v;
    if (!v->key_static) c->key = copy(&at, v->key);
    if ((v->type == VALUE_STRING || v->type == VALUE_JSON) && !v->str_static)
      c->str = copy(&at, v->str);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, rt->evmeta);
  lua_setmetatable(L, -2);
  if (ev->payload_kind == PAYLOAD_LUA_REF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, (int)(intptr_t)ev->payload);
    lua_setiuservalue(L, -2, 1);
  }
  rt->cur_event = e;
  return e;
}

static levent_t *check_event(lua_State *L, int i) {
  return luaL_checkudata(L, i, EVENT_META);
}

static void push_device(lua_State *L, const levent_t *e) {
  if (!e->device)
    lua_pushnil(L);
  else if (!e->device_payload)
    lua_pushstring(L, e->device);
  else if (e->dev && runtime_from(L)->cur_event == e)
    ldevice_push_dev(L, e->dev); /* still being delivered: the device exists */
  else
    ldevice_push(L, e->device);
}

static void push_data(lua_State *L, int idx) {
  levent_t *e = lua_touserdata(L, idx);
  if (lua_getiuservalue(L, idx, 1) != LUA_TNIL || !e->device_payload) return;
  lua_pop(L, 1);
  lumo_push_values(L, e->values, e->nvalues);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, idx, 1);
}

static void push_opt(lua_State *L, const char *s) {
  if (s)
    lua_pushstring(L, s);
  else
    lua_pushnil(L);
}

/* The fields, in the order pairs() gives them. */
static const char *const fields[] = {"name", "device", "model", "data", "time", NULL};

/* Pushes field i of the event at idx. */
static void push_field(lua_State *L, int idx, int i) {
  levent_t *e = lua_touserdata(L, idx);
  switch (i) {
  case 0:
    push_opt(L, e->name);
    break;
  case 1:
    push_device(L, e);
    break;
  case 2:
    push_opt(L, e->model);
    break;
  case 3:
    push_data(L, idx);
    break;
  case 4:
    lua_pushnumber(L, e->time);
    break;
  }
}

static int field_index(const char *k, size_t n) {
  switch (n) {
  case 4:
    if (memcmp(k, "name", 4) == 0) return 0;
    if (memcmp(k, "data", 4) == 0) return 3;
    if (memcmp(k, "time", 4) == 0) return 4;
    break;
  case 5:
    if (memcmp(k, "model", 5) == 0) return 2;
    break;
  case 6:
    if (memcmp(k, "device", 6) == 0) return 1;
    break;
  }
  return -1;
}

/* ev.field, or ev:copy. Upvalues: the metatable (a type check without a
 * lookup by name: this runs for every field a rule reads), the methods. */
static int event_index(lua_State *L) {
  if (!lua_getmetatable(L, 1) || !lua_rawequal(L, -1, lua_upvalueindex(1)))
    return luaL_typeerror(L, 1, EVENT_META);
  lua_pop(L, 1);
  size_t n;
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : NULL;
  int i = k ? field_index(k, n) : -1;
  if (i >= 0) {
    push_field(L, 1, i);
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(2));
  return 1;
}

static int event_newindex(lua_State *L) {
  check_event(L, 1);
  return luaL_error(L, "an event is read-only: ev:copy() gives a table you can change");
}

/* ev:copy() -> {name=, device=, model=, data=, time=}: a plain table, with a
 * copy of ev.data when that is a table. */
static int event_copy(lua_State *L) {
  check_event(L, 1);
  lua_createtable(L, 0, 5);
  for (int i = 0; fields[i]; i++) {
    push_field(L, 1, i);
    if (i == 3 && lua_type(L, -1) == LUA_TTABLE) {
      lua_newtable(L);
      lua_pushnil(L);
      while (lua_next(L, -3)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
      }
      lua_remove(L, -2);
    }
    lua_setfield(L, -2, fields[i]);
  }
  return 1;
}

/* pairs(ev): the fields that are set, as for a table. */
static int event_next(lua_State *L) {
  check_event(L, 1);
  int i = 0;
  if (!lua_isnil(L, 2)) {
    size_t n;
    const char *k = luaL_checklstring(L, 2, &n);
    i = field_index(k, n);
    if (i < 0) return luaL_error(L, "invalid key to 'next' of an event");
    i++;
  }
  for (; fields[i]; i++) {
    push_field(L, 1, i);
    if (!lua_isnil(L, -1)) {
      lua_pushstring(L, fields[i]);
      lua_insert(L, -2);
      return 2;
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  return 1;
}

static int event_pairs(lua_State *L) {
  check_event(L, 1);
  lua_pushcfunction(L, event_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static int event_tostring(lua_State *L) {
  levent_t *e = check_event(L, 1);
  lua_pushfstring(L, "lumo.Event %s%s%s", e->name ? e->name : "?",
                  e->device ? " from " : "", e->device ? e->device : "");
  return 1;
}

static const luaL_Reg event_methods[] = {
    {"copy", event_copy},
    {NULL, NULL},
};

static const luaL_Reg event_meta[] = {
    {"__newindex", event_newindex},
    {"__pairs", event_pairs},
    {"__tostring", event_tostring},
    {NULL, NULL},
};

void lumo_open_event(lua_State *L) {
  lumo_new_type(L, EVENT_META, event_meta, event_methods, event_index);
  runtime_from(L)->evmeta = luaL_ref(L, LUA_REGISTRYINDEX);
}
