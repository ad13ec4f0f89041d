/* lumo.after / lumo.every / lumo.at and the lumo.Timer userdata. */
#include "core/timer.h"
#include "lua/lumolib.h"
#include "lua/runtime.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>

#define TIMER_META "lumo.Timer"

typedef struct {
  rt_handle_t h; /* first: the runtime sees a handle */
  lumo_timer_t t;
} ltimer_t;

static ltimer_t *checktimer(lua_State *L, int i) {
  return luaL_checkudata(L, i, TIMER_META);
}

static void timer_stop_handle(rt_handle_t *h) {
  timer_stop(&((ltimer_t *)h)->t);
}

static void on_fire(lumo_timer_t *t, void *arg) {
  ltimer_t *lt = arg;
  runtime_t *rt = lt->h.rt;
  if (!runtime_handle_active(&lt->h)) return;
  lua_State *L = rt->L;
  int gen = lt->h.gen;
  runtime_handle_push(&lt->h); /* userdata, callback: anchored on the stack */
  /* A one-shot timer is finished before its callback runs, so the callback
   * sees it inactive and may drop it. */
  if (t->kind == TIMER_AFTER) runtime_handle_cancel(&lt->h);
  lua_pushvalue(L, -2);
  char what[64];
  snprintf(what, sizeof what, "timer callback (%s)",
           t->kind == TIMER_AFTER   ? "after"
           : t->kind == TIMER_EVERY ? "every"
                                    : "at");
  runtime_call(rt, 1, 0, gen, what);
  lua_pop(L, 1); /* the userdata */
}

static double checkseconds(lua_State *L, const char *fname, int strict) {
  double s = luaL_checknumber(L, 1);
  if (!isfinite(s) || s < 0 || (strict && s == 0))
    luaL_error(L, "%s: seconds must be a finite number %s 0, got %f", fname,
               strict ? ">" : ">=", s);
  return s;
}

static int start(lua_State *L, ltimer_t *lt) {
  runtime_t *rt = lua_touserdata(L, lua_upvalueindex(1));
  lt->h = (rt_handle_t){.kind = HANDLE_TIMER,
                        .stop = timer_stop_handle,
                        .self_ref = LUA_NOREF,
                        .fn_ref = LUA_NOREF};
  luaL_setmetatable(L, TIMER_META);
  lua_pushvalue(L, -1);
  runtime_handle_pin(L, rt, &lt->h, 2);
  timer_start(rt->eng->loop, &lt->t);
  return 1;
}

/* lumo.after(seconds, fn) and lumo.every(seconds, fn). */
static int relative(lua_State *L, int repeat) {
  double s = checkseconds(L, repeat ? "lumo.every" : "lumo.after", repeat);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  ltimer_t *lt = lua_newuserdatauv(L, sizeof *lt, 0);
  if (repeat)
    timer_init_every(&lt->t, s, on_fire, lt);
  else
    timer_init_after(&lt->t, s, on_fire, lt);
  return start(L, lt);
}

static int lumo_after(lua_State *L) {
  return relative(L, 0);
}

static int lumo_every(lua_State *L) {
  return relative(L, 1);
}

static int lumo_at(lua_State *L) {
  const char *when = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  int h, m, s;
  if (timer_parse_hms(when, &h, &m, &s) != 0)
    return luaL_error(L,
                      "lumo.at: expected a time of day \"HH:MM\" or \"HH:MM:SS\" "
                      "(24-hour), got \"%s\"",
                      when);
  ltimer_t *lt = lua_newuserdatauv(L, sizeof *lt, 0);
  timer_init_at(&lt->t, h, m, s, on_fire, lt);
  return start(L, lt);
}

static int lumo_now(lua_State *L) {
  lua_pushnumber(L, timer_now());
  return 1;
}

/* t:cancel() -> true if it was active. Also __gc and __close. */
static int timer_cancel(lua_State *L) {
  ltimer_t *lt = checktimer(L, 1);
  int was = runtime_handle_active(&lt->h);
  runtime_handle_cancel(&lt->h);
  lua_pushboolean(L, was);
  return 1;
}

static int timer_active(lua_State *L) {
  lua_pushboolean(L, runtime_handle_active(&checktimer(L, 1)->h));
  return 1;
}

/* t:remaining() -> seconds until it fires, or nil when cancelled/done. */
static int timer_remaining_(lua_State *L) {
  ltimer_t *lt = checktimer(L, 1);
  if (runtime_handle_active(&lt->h))
    lua_pushnumber(L, timer_remaining(&lt->t));
  else
    lua_pushnil(L);
  return 1;
}

static int timer_tostring(lua_State *L) {
  ltimer_t *lt = checktimer(L, 1);
  const char *state = runtime_handle_active(&lt->h) ? "active" : "inactive";
  switch (lt->t.kind) {
  case TIMER_AFTER:
    lua_pushfstring(L, "lumo.Timer (after %f s, %s)", lt->t.delay, state);
    break;
  case TIMER_EVERY:
    lua_pushfstring(L, "lumo.Timer (every %f s, %s)", lt->t.interval, state);
    break;
  case TIMER_AT: {
    char hms[16]; /* lua_pushfstring has no %02d */
    snprintf(hms, sizeof hms, "%02d:%02d:%02d", lt->t.hour, lt->t.min, lt->t.sec);
    lua_pushfstring(L, "lumo.Timer (at %s, %s)", hms, state);
    break;
  }
  }
  return 1;
}

static const luaL_Reg timer_methods[] = {
    {"cancel", timer_cancel},
    {"active", timer_active},
    {"remaining", timer_remaining_},
    {NULL, NULL},
};

static const luaL_Reg timer_meta[] = {
    {"__index", NULL}, /* set to the methods table below */
    {"__gc", timer_cancel}, {"__close", timer_cancel}, {"__tostring", timer_tostring},
    {NULL, NULL},
};

static const luaL_Reg timerlib[] = {
    {"after", lumo_after}, {"every", lumo_every}, {"at", lumo_at},
    {"now", lumo_now},     {NULL, NULL},
};

void lumo_open_timers(lua_State *L) {
  luaL_newmetatable(L, TIMER_META);
  luaL_setfuncs(L, timer_meta, 0);
  luaL_newlib(L, timer_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushlightuserdata(L, runtime_from(L));
  luaL_setfuncs(L, timerlib, 1);
}
