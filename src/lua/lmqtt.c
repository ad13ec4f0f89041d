/* lumo.mqtt: lumo.mqtt.connect{...} and the lumo.mqtt.Client userdata. A
 * client belongs to the rule file that made it (a reload closes it). Its
 * subscriptions' handlers live in the userdata's user value, a list of
 * {filter, fn, json}; an arriving message goes to every handler whose
 * filter matches, then to the bus as the event "message" (device: the
 * client's name), as do "connected" and "disconnected". */
#include "core/log.h"
#include "drivers/mqtt_client.h"
#include "lua/ljson.h"
#include "lua/loptions.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"
#include "proto/mqtt_topic.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define CLIENT_META "lumo.mqtt.Client"

typedef struct {
  rt_handle_t h; /* first: the runtime sees a handle */
  mqtt_client_t *c;
  char name[96]; /* the bus's device name for its events */
  unsigned long bad_json;
} lclient_t;

static lclient_t *check_open(lua_State *L, int i) {
  lclient_t *m = luaL_checkudata(L, i, CLIENT_META);
  if (!m->c) luaL_error(L, "the MQTT client was closed");
  return m;
}

static void client_stop(rt_handle_t *h) {
  lclient_t *m = (lclient_t *)h;
  mqtt_client_t *c = m->c;
  m->c = NULL; /* callbacks from the close below see a closed client */
  mqtt_close(c);
}

/* ---- events from the driver (loop thread) ---- */

/* A bus event of this client, with the table on top of the stack (popped) as
 * its data. */
static void dispatch(lclient_t *m, const char *name) {
  lumo_dispatch_data(m->h.rt->L, name, m->name);
}

static int usable(lclient_t *m) {
  return m->c && m->h.rt && m->h.rt->L && !m->h.rt->closing;
}

static void on_connected(void *arg, int reconnect) {
  lclient_t *m = arg;
  if (!usable(m)) return;
  lua_State *L = m->h.rt->L;
  lua_createtable(L, 0, 1);
  lua_pushboolean(L, reconnect);
  lua_setfield(L, -2, "reconnect");
  dispatch(m, "connected");
}

static void on_disconnected(void *arg, const char *reason) {
  lclient_t *m = arg;
  if (!usable(m)) return;
  lua_State *L = m->h.rt->L;
  lua_createtable(L, 0, 1);
  lua_pushstring(L, reason);
  lua_setfield(L, -2, "reason");
  dispatch(m, "disconnected");
}

/* {topic=, payload=, qos=, retained=} */
static void push_message(lua_State *L, const char *topic, const void *payload, size_t len,
                         int qos, int retained) {
  lua_createtable(L, 0, 5);
  lua_pushstring(L, topic);
  lua_setfield(L, -2, "topic");
  lua_pushlstring(L, payload, len);
  lua_setfield(L, -2, "payload");
  lua_pushinteger(L, qos);
  lua_setfield(L, -2, "qos");
  lua_pushboolean(L, retained);
  lua_setfield(L, -2, "retained");
}

static void on_message(void *arg, const char *topic, const void *payload, size_t len,
                       int qos, int retained) {
  lclient_t *m = arg;
  if (!usable(m)) return;
  runtime_t *rt = m->h.rt;
  lua_State *L = rt->L;
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->h.self_ref); /* anchors the client */
  lua_getiuservalue(L, -1, 1);                      /* the subscriptions */
  int subs = lua_gettop(L);
  lua_Integer n = (lua_Integer)lua_rawlen(L, subs);
  for (lua_Integer i = 1; i <= n && usable(m); i++) {
    if (lua_rawgeti(L, subs, i) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    lua_getfield(L, -1, "filter");
    const char *filter = lua_tostring(L, -1);
    int match = filter && mqtt_topic_matches(filter, topic);
    lua_pop(L, 1);
    if (!match) {
      lua_pop(L, 1);
      continue;
    }
    lua_getfield(L, -1, "fn");
    int json = lua_getfield(L, -2, "json") == LUA_TBOOLEAN && lua_toboolean(L, -1);
    lua_pop(L, 1);
    push_message(L, topic, payload, len, qos, retained);
    if (json) {
      if (ljson_decode(L, payload, len) != 0) {
        /* Not JSON: counted and logged; the handler is not called. */
        m->bad_json++;
        log_warn("mqtt",
                 "%s: a message on %.100s is not JSON (%lu so far); its handler "
                 "for %.100s was not called",
                 m->name, topic, m->bad_json, filter ? filter : "?");
        lua_pop(L, 3);
        continue;
      }
      lua_setfield(L, -2, "data");
    }
    runtime_callf(rt, 1, 0, m->h.gen, "handler for MQTT topic %.100s", topic);
    lua_pop(L, 1); /* the entry */
  }
  lua_settop(L, top);
  if (!usable(m)) return;
  push_message(L, topic, payload, len, qos, retained);
  dispatch(m, "message");
}

/* ---- options ---- */

/* Reads connect{} options into cfg (strings stay in the table). */
void lmqtt_config(lua_State *L, int t, mqtt_config_t *cfg, const char *where) {
  static const char *const known[] = {
      "uri",       "user",          "password", "client_id", "tls",          "will",
      "keepalive", "clean_session", "version",  "state_dir", "max_buffered", NULL};
  lopt_check(L, t, known, where);
  cfg->uri = lopt_string(L, t, "uri", where);
  if (!cfg->uri) luaL_error(L, "%s: give uri = \"mqtt://host:port\"", where);
  cfg->user = lopt_string(L, t, "user", where);
  cfg->password = lopt_string(L, t, "password", where);
  cfg->client_id = lopt_string(L, t, "client_id", where);
  cfg->state_dir = lopt_string(L, t, "state_dir", where);
  cfg->keepalive = (int)lopt_int(L, t, "keepalive", 5, 65535, 60, where);
  cfg->clean_session = lopt_bool(L, t, "clean_session", 1, where);
  cfg->version = (int)lopt_int(L, t, "version", 3, 5, 3, where);
  if (cfg->version == 4) luaL_error(L, "%s: 'version' must be 3 (3.1.1) or 5", where);
  cfg->max_buffered = (int)lopt_int(L, t, "max_buffered", 1, 10000000, 10000, where);
  int type = lua_getfield(L, t, "tls");
  if (type == LUA_TTABLE) {
    static const char *const tls_known[] = {"ca", "cert", "key", "verify", NULL};
    int tt = lua_gettop(L);
    lopt_check(L, tt, tls_known, where);
    cfg->tls.ca = lopt_string(L, tt, "ca", where);
    cfg->tls.cert = lopt_string(L, tt, "cert", where);
    cfg->tls.key = lopt_string(L, tt, "key", where);
    cfg->tls.insecure = !lopt_bool(L, tt, "verify", 1, where);
    if (!cfg->tls.cert != !cfg->tls.key)
      luaL_error(L, "%s: tls.cert and tls.key go together", where);
  } else if (type != LUA_TNIL) {
    luaL_error(L, "%s: 'tls' must be a table {ca=, cert=, key=, verify=}", where);
  }
  lua_pop(L, 1);
  type = lua_getfield(L, t, "will");
  if (type == LUA_TTABLE) {
    static const char *const will_known[] = {"topic", "payload", "qos", "retain", NULL};
    int wt = lua_gettop(L);
    lopt_check(L, wt, will_known, where);
    cfg->will.topic = lopt_string(L, wt, "topic", where);
    if (!cfg->will.topic) luaL_error(L, "%s: will needs a topic", where);
    cfg->will.payload = lopt_string(L, wt, "payload", where);
    cfg->will.len = cfg->will.payload ? strlen(cfg->will.payload) : 0;
    cfg->will.qos = (int)lopt_int(L, wt, "qos", 0, 2, 0, where);
    cfg->will.retain = lopt_bool(L, wt, "retain", 0, where);
  } else if (type != LUA_TNIL) {
    luaL_error(L, "%s: 'will' must be a table {topic=, payload=, qos=, retain=}", where);
  }
  lua_pop(L, 1);
}

/* ---- the client ---- */

/* lumo.mqtt.connect{uri=, ...} -> Client */
static int mqtt_connect(lua_State *L) {
  runtime_t *rt = runtime_from(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  mqtt_config_t cfg = {0};
  lmqtt_config(L, 1, &cfg, "lumo.mqtt.connect");
  lclient_t *m = lua_newuserdatauv(L, sizeof *m, 1);
  *m = (lclient_t){.h = {.kind = HANDLE_DRIVER,
                         .stop = client_stop,
                         .self_ref = LUA_NOREF,
                         .fn_ref = LUA_NOREF}};
  lua_newtable(L);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, CLIENT_META);
  static const mqtt_events_t events = {on_connected, on_disconnected, on_message};
  char err[256];
  /* Pinned first: the runtime's generation owns it from now on. */
  m->h.rt = rt;
  m->c = mqtt_open(rt->eng, &cfg, &events, m, err, sizeof err);
  if (!m->c) return luaL_error(L, "lumo.mqtt.connect: %s", err);
  snprintf(m->name, sizeof m->name, "%s", mqtt_client_id(m->c));
  lua_pushvalue(L, -1);
  runtime_handle_pin(L, rt, &m->h, 0);
  return 1;
}

static void done(void *arg, const char *err) {
  ldevice_done(arg, err, NULL, 0);
}

/* The optional callback at index cb, for `done`; NULL when there is none. */
static void *opt_callback(lua_State *L, int cb, const char *verb, const char *topic) {
  if (lua_isnoneornil(L, cb)) return NULL;
  luaL_checktype(L, cb, LUA_TFUNCTION);
  char what[160];
  snprintf(what, sizeof what, "%s %.100s", verb, topic);
  return ldevice_callback(L, cb, what);
}

/* c:publish(topic, payload[, {qos=, retain=}][, cb]): payload a string, or
 * a table sent as JSON. */
static int client_publish(lua_State *L) {
  lclient_t *m = check_open(L, 1);
  const char *topic = luaL_checkstring(L, 2);
  const char *bad = mqtt_topic_error(topic);
  if (bad) return luaL_error(L, "publish: %s", bad);
  int cb = 4, qos = 1, retain = 0;
  if (lua_type(L, 4) == LUA_TTABLE) {
    static const char *const known[] = {"qos", "retain", NULL};
    lopt_check(L, 4, known, "publish");
    qos = (int)lopt_int(L, 4, "qos", 0, 2, 1, "publish");
    retain = lopt_bool(L, 4, "retain", 0, "publish");
    cb = 5;
  }
  size_t len = 0;
  const char *payload;
  char *json = NULL;
  if (lua_type(L, 3) == LUA_TTABLE) {
    char err[160];
    json = ljson_encode(L, 3, err, sizeof err);
    if (!json) return luaL_error(L, "publish: the payload table: %s", err);
    payload = json;
    len = strlen(json);
  } else if (lua_type(L, 3) == LUA_TSTRING || lua_type(L, 3) == LUA_TNUMBER) {
    payload = lua_tolstring(L, 3, &len);
  } else {
    return luaL_error(L, "publish: the payload must be a string or a table, got %s",
                      luaL_typename(L, 3));
  }
  char err[256];
  /* Without a callback there is nothing to tell: the message waits in
   * paho's buffer until the broker has it (or in the state directory for
   * the next run), so no per-message result is logged. */
  void *p = opt_callback(L, cb, "publish to", topic);
  int rc = mqtt_publish(m->c, topic, payload, len, qos, retain, p ? done : NULL, p, err,
                        sizeof err);
  if (json) ljson_free(json);
  if (rc != 0) {
    if (p) ldevice_release(p); /* the error is raised instead */
    return luaL_error(L, "publish: %s", err);
  }
  return 0;
}

/* c:subscribe(filter, fn[, {qos=, json=}][, cb]) -> true; cb(ok, err)
 * once the broker has granted it (or refused it). */
static int client_subscribe(lua_State *L) {
  lclient_t *m = check_open(L, 1);
  const char *filter = luaL_checkstring(L, 2);
  const char *bad = mqtt_filter_error(filter);
  if (bad) return luaL_error(L, "subscribe: %s", bad);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  int qos = 1, json = 0, cb = 4;
  if (lua_type(L, 4) == LUA_TTABLE) {
    static const char *const known[] = {"qos", "json", NULL};
    lopt_check(L, 4, known, "subscribe");
    qos = (int)lopt_int(L, 4, "qos", 0, 2, 1, "subscribe");
    json = lopt_bool(L, 4, "json", 0, "subscribe");
    cb = 5;
  }
  void *p = opt_callback(L, cb, "subscribe to", filter);
  char err[256];
  if (mqtt_subscribe(m->c, filter, qos, p ? done : NULL, p, err, sizeof err) != 0) {
    if (p) ldevice_release(p); /* the error is raised instead */
    return luaL_error(L, "subscribe: %s", err);
  }
  lua_getiuservalue(L, 1, 1);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, "filter");
  lua_pushvalue(L, 3);
  lua_setfield(L, -2, "fn");
  lua_pushboolean(L, json);
  lua_setfield(L, -2, "json");
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pushboolean(L, 1);
  return 1;
}

/* c:unsubscribe(filter): drops every handler of that filter. */
static int client_unsubscribe(lua_State *L) {
  lclient_t *m = check_open(L, 1);
  const char *filter = luaL_checkstring(L, 2);
  lua_getiuservalue(L, 1, 1);
  int subs = lua_gettop(L);
  lua_newtable(L);
  int kept = lua_gettop(L), n = 0, removed = 0;
  for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, subs); i++) {
    lua_rawgeti(L, subs, i);
    lua_getfield(L, -1, "filter");
    int same = lua_tostring(L, -1) && !strcmp(lua_tostring(L, -1), filter);
    lua_pop(L, 1);
    if (same) {
      removed++;
      lua_pop(L, 1);
    } else {
      lua_rawseti(L, kept, ++n);
    }
  }
  lua_pushvalue(L, kept);
  lua_setiuservalue(L, 1, 1);
  char err[256];
  if (removed && mqtt_unsubscribe(m->c, filter, NULL, NULL, err, sizeof err) != 0)
    return luaL_error(L, "unsubscribe: %s", err);
  lua_pushboolean(L, removed > 0);
  return 1;
}

/* c:on(name, fn) -> Handler: "connected", "disconnected", "message". */
static int client_on(lua_State *L) {
  lclient_t *m = check_open(L, 1);
  const char *name = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  return lumo_subscribe(L, 3, name, m->name, NULL, NULL);
}

static int client_close(lua_State *L) {
  lclient_t *m = luaL_checkudata(L, 1, CLIENT_META);
  runtime_handle_cancel(&m->h);
  return 0;
}

static int client_index(lua_State *L) {
  lclient_t *m = luaL_checkudata(L, 1, CLIENT_META);
  const char *k = luaL_checkstring(L, 2);
  if (!strcmp(k, "connected")) {
    lua_pushboolean(L, m->c && mqtt_is_connected(m->c));
  } else if (!strcmp(k, "client_id")) {
    lua_pushstring(L, m->name);
  } else if (!strcmp(k, "closed")) {
    lua_pushboolean(L, m->c == NULL);
  } else {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));
  }
  return 1;
}

static int client_tostring(lua_State *L) {
  lclient_t *m = luaL_checkudata(L, 1, CLIENT_META);
  lua_pushfstring(L, "lumo.mqtt.Client %s (%s)", m->name,
                  !m->c                     ? "closed"
                  : mqtt_is_connected(m->c) ? "connected"
                                            : "not connected");
  return 1;
}

static const luaL_Reg client_methods[] = {
    {"publish", client_publish},
    {"subscribe", client_subscribe},
    {"unsubscribe", client_unsubscribe},
    {"on", client_on},
    {"close", client_close},
    {NULL, NULL},
};

static const luaL_Reg client_meta[] = {
    {"__tostring", client_tostring},
    {"__close", client_close},
    {NULL, NULL},
};

void lumo_open_mqtt(lua_State *L) {
  lumo_new_type(L, CLIENT_META, client_meta, client_methods, client_index);
  lua_pop(L, 1);
  static const luaL_Reg fns[] = {{"connect", mqtt_connect}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setfield(L, -2, "mqtt");
}
