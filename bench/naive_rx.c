/* The benchmark's naive receiver: what a straightforward C program would do
 * with the Lumi multicast feed. recvmmsg (batches of 64, as lumo), then per
 * datagram: cJSON_Parse of the datagram, cJSON_Parse again of its data
 * string, a state update in a small hash table (the device's model, last
 * seen time and each attribute's latest value), and for a report a fresh
 * Lua table {name, sid, model, data = {...}} passed by lua_pcall to a Lua
 * handler that reads the sid and the data, like lumo's bench rules do.
 *
 * --file FILE reads datagrams from lines instead of the socket (the replay
 * capture, for callgrind). Stop, output and measurements as count_rx.c. */
#define _GNU_SOURCE
#include "common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TABLE_SIZE 4096 /* open addressing; more devices than that are not kept */
#define MAX_STATE 8

static const char usage[] =
    "usage: naive_rx [--latency] [--out FILE] [--ready FILE] [--quiet S] [--rcvbuf "
    "BYTES]\n"
    "                [--max-seconds S] [--interface ADDR] [--file CAPTURE]\n";

/* The handlers: the same Lua as bench/rules_drain.lua and
 * bench/rules_latency.lua, with ev.sid where lumo has ev.device.sid. */
static const char drain_handler[] = "local n, hits = 0, 0\n"
                                    "return function(ev)\n"
                                    "  local sid = ev.sid\n"
                                    "  local data = ev.data\n"
                                    "  if sid and data.status then hits = hits + 1 end\n"
                                    "  n = n + 1\n"
                                    "end\n";
/* Latencies into a histogram of whole microseconds, as rules_latency.lua;
 * the chunk's second result summarises it: count, p50, p99, max. */
static const char latency_handler[] =
    "local now = ...\n"
    "local hist, n = {}, 0\n"
    "local function handler(ev)\n"
    "  local sid = ev.sid\n"
    "  local data = ev.data\n"
    "  n = n + 1\n"
    "  if sid then\n"
    "    local us = (now() - tonumber(data.ts) * 1e-9) * 1e6 // 1\n"
    "    if us < 0 then us = 0 elseif us > 1e7 then us = 1e7 end\n"
    "    hist[us] = (hist[us] or 0) + 1\n"
    "  end\n"
    "end\n"
    "local function summary()\n"
    "  local keys, k = {}, 0\n"
    "  for us, c in pairs(hist) do keys[#keys + 1] = us; k = k + c end\n"
    "  if k == 0 then return 0, 0, 0, 0 end\n"
    "  table.sort(keys)\n"
    "  local function rank(r)\n"
    "    local seen = 0\n"
    "    for _, key in ipairs(keys) do\n"
    "      seen = seen + hist[key]\n"
    "      if seen >= r then return key end\n"
    "    end\n"
    "  end\n"
    "  return k, rank(k // 2 + 1), rank(math.floor(k * 0.99) + 1), keys[#keys]\n"
    "end\n"
    "return handler, summary\n";

typedef struct {
  char sid[24];
  char model[24];
  double last_seen;
  int nstate;
  struct {
    char key[24];
    char val[32];
  } state[MAX_STATE];
} device_t;

static device_t table[TABLE_SIZE];

static device_t *device_for(const char *sid) {
  uint32_t h = 2166136261u;
  for (const char *s = sid; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  for (unsigned i = 0; i < TABLE_SIZE; i++) {
    device_t *d = &table[(h + i) % TABLE_SIZE];
    if (!d->sid[0]) {
      snprintf(d->sid, sizeof d->sid, "%s", sid);
      return d;
    }
    if (strcmp(d->sid, sid) == 0) return d;
  }
  return NULL;
}

static void update_state(device_t *d, const char *model, const cJSON *data, double now) {
  if (model) snprintf(d->model, sizeof d->model, "%s", model);
  d->last_seen = now;
  for (const cJSON *a = data ? data->child : NULL; a; a = a->next) {
    int i = 0;
    while (i < d->nstate && strcmp(d->state[i].key, a->string) != 0) i++;
    if (i == d->nstate) {
      if (d->nstate == MAX_STATE) continue;
      d->nstate++;
      snprintf(d->state[i].key, sizeof d->state[i].key, "%s", a->string);
    }
    if (cJSON_IsString(a))
      snprintf(d->state[i].val, sizeof d->state[i].val, "%s", a->valuestring);
    else
      snprintf(d->state[i].val, sizeof d->state[i].val, "%g", a->valuedouble);
  }
}

static int l_now(lua_State *L) {
  lua_pushnumber(L, bench_realtime());
  return 1;
}

typedef struct {
  lua_State *L;
  int handler; /* registry reference */
  unsigned long datagrams, reports, bad;
} rx_t;

static const char *str_member(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void handle(rx_t *rx, const char *buf, size_t len) {
  rx->datagrams++;
  cJSON *root = cJSON_ParseWithLength(buf, len);
  if (!cJSON_IsObject(root)) {
    rx->bad++;
    cJSON_Delete(root);
    return;
  }
  const char *cmd = str_member(root, "cmd"), *sid = str_member(root, "sid");
  const char *model = str_member(root, "model"), *text = str_member(root, "data");
  cJSON *data = text ? cJSON_Parse(text) : NULL;
  if (!cmd || !sid || (text && !cJSON_IsObject(data))) {
    rx->bad++;
    goto done;
  }
  device_t *d = device_for(sid);
  if (d) update_state(d, model, data, bench_realtime());
  if (strcmp(cmd, "report") != 0) goto done;

  lua_State *L = rx->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, rx->handler);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, "report");
  lua_setfield(L, -2, "name");
  lua_pushstring(L, sid);
  lua_setfield(L, -2, "sid");
  if (model) {
    lua_pushstring(L, model);
    lua_setfield(L, -2, "model");
  }
  lua_createtable(L, 0, 2);
  for (const cJSON *a = data ? data->child : NULL; a; a = a->next) {
    if (cJSON_IsString(a))
      lua_pushstring(L, a->valuestring);
    else if (cJSON_IsNumber(a))
      lua_pushnumber(L, a->valuedouble);
    else if (cJSON_IsBool(a))
      lua_pushboolean(L, cJSON_IsTrue(a));
    else
      continue;
    lua_setfield(L, -2, a->string);
  }
  lua_setfield(L, -2, "data");
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    fprintf(stderr, "naive_rx: handler: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  rx->reports++;
done:
  cJSON_Delete(data);
  cJSON_Delete(root);
}

static void on_batch(void *arg, rx_batch_t *b, int n) {
  rx_t *rx = arg;
  for (int i = 0; i < n; i++) {
    if (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
    handle(rx, b->slots[i], b->msgs[i].msg_len);
  }
}

int main(int argc, char **argv) {
  rx_opts_t o;
  int r = rx_parse_options(argc, argv, usage, 1, &o);
  if (r >= 0) return r;

  rx_t rx = {.L = luaL_newstate()};
  lua_State *L = rx.L;
  luaL_openlibs(L);
  const char *src = o.latency ? latency_handler : drain_handler;
  if (luaL_loadbuffer(L, src, strlen(src), "=handler") != LUA_OK) {
    fprintf(stderr, "naive_rx: %s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_pushcfunction(L, l_now);
  lua_call(L, 1, 2);
  int summary = luaL_ref(L, LUA_REGISTRYINDEX); /* nil for the drain handler */
  rx.handler = luaL_ref(L, LUA_REGISTRYINDEX);

  int fd = -1;
  FILE *in = NULL;
  if (o.file) {
    in = fopen(o.file, "r");
    if (!in) {
      fprintf(stderr, "naive_rx: cannot open %s: %s\n", o.file, strerror(errno));
      return 1;
    }
  } else if ((fd = rx_open_socket("naive_rx", o.iface, o.rcvbuf)) < 0) {
    return 1;
  }

  static rx_batch_t batch;
  rx_batch_init(&batch);

  long rss_idle = rx_ready(o.ready);
  rx_span_t span = {0};
  if (in) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    span.first = bench_realtime();
    span.cpu0 = bench_cpu_ns();
    while ((n = getline(&line, &cap, in)) >= 0) {
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
      if (n == 0 || line[0] == '#') continue;
      handle(&rx, line, (size_t)n);
    }
    span.last = bench_realtime();
    free(line);
    fclose(in);
    span.cpu_ns = rx.datagrams ? bench_cpu_ns() - span.cpu0 : 0;
  } else {
    rx_receive(fd, &batch, &o, on_batch, &rx, &span);
    close(fd);
  }

  FILE *f = o.out ? fopen(o.out, "w") : stdout;
  if (!f) return 1;
  fprintf(f, "receiver=naive\ndatagrams=%lu\nreports=%lu\nbad=%lu\n", rx.datagrams,
          rx.reports, rx.bad);
  rx_write_span(f, &span, rss_idle);
  if (o.latency) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, summary);
    lua_call(L, 0, 4);
    if (lua_tointeger(L, -4) > 0)
      fprintf(f, "lat_n=%lld\np50_us=%lld\np99_us=%lld\nmax_us=%lld\n",
              (long long)lua_tointeger(L, -4), (long long)lua_tointeger(L, -3),
              (long long)lua_tointeger(L, -2), (long long)lua_tointeger(L, -1));
    lua_pop(L, 4);
  }
  if (f != stdout) fclose(f);
  lua_close(L);
  return 0;
}
