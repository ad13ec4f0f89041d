/* Output of `lumo lumi`: values and devices as JSON, and JSON records as
 * JSON lines, aligned tables or key=value pairs, so every subcommand prints
 * its data one way whatever its shape. */
#include "cli/lumi_cli.h"

#include "core/bus.h"
#include "core/device.h"
#include "core/mem.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static cJSON *value_json(value_type_t type, double num, const char *str) {
  switch (type) {
  case VALUE_NUMBER:
    return cJSON_CreateNumber(num);
  case VALUE_BOOL:
    return cJSON_CreateBool(num != 0);
  case VALUE_STRING:
    return cJSON_CreateString(str ? str : "");
  case VALUE_JSON: {
    /* Nested values arrive as JSON text: kept as JSON, not as a string. */
    cJSON *j = str ? cJSON_Parse(str) : NULL;
    return j ? j : cJSON_CreateString(str ? str : "");
  }
  default:
    return cJSON_CreateNull();
  }
}

/* A new object {key: value, ...}; the caller deletes it. */
static cJSON *values_json(const value_t *values, size_t n) {
  cJSON *o = cJSON_CreateObject();
  for (size_t i = 0; i < n; i++)
    cJSON_AddItemToObject(o, values[i].key,
                          value_json(values[i].type, values[i].num, values[i].str));
  return o;
}

static cJSON *opt_string(const char *s) {
  return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* A new object {sid, model, kind, name, online, state}. */
static cJSON *device_json(const device_t *dev) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "sid", cJSON_CreateString(dev->id));
  cJSON_AddItemToObject(o, "model", opt_string(dev->model));
  cJSON_AddItemToObject(o, "kind", opt_string(dev->kind));
  cJSON_AddItemToObject(o, "name", opt_string(dev->name));
  cJSON_AddBoolToObject(o, "online", dev->online);
  cJSON *state = cJSON_AddObjectToObject(o, "state");
  for (size_t i = 0; i < dev->nstate; i++) {
    const device_value_t *v = &dev->state[i];
    cJSON_AddItemToObject(state, v->key, value_json(v->type, v->num, v->str));
  }
  return o;
}

static void print_json_line(FILE *out, const cJSON *item) {
  char *s = cJSON_PrintUnformatted(item);
  if (!s) abort(); /* out of memory */
  fprintf(out, "%s\n", s);
  cJSON_free(s);
}

/* A scalar as text: strings as they are, numbers as JSON writes them
 * (21.5, 4278255360), booleans true/false, nested values as JSON. Returns
 * a string to free. */
static char *scalar_text(const cJSON *v) {
  if (cJSON_IsString(v)) return mem_strdup(v->valuestring);
  char *s = cJSON_PrintUnformatted(v);
  if (!s) abort();
  char *copy = mem_strdup(s);
  cJSON_free(s);
  return copy;
}

/* key=value for each member, joined by `sep`. */
static void print_pairs(FILE *out, const cJSON *obj, const char *sep) {
  const cJSON *v;
  int first = 1;
  cJSON_ArrayForEach(v, obj) {
    char *text = scalar_text(v);
    fprintf(out, "%s%s=%s", first ? "" : sep, v->string, text);
    free(text);
    first = 0;
  }
}

/* A table cell: null "-", booleans yes/no, objects as key=value pairs. */
static char *cell_text(const cJSON *v) {
  if (!v || cJSON_IsNull(v)) return mem_strdup("-");
  if (cJSON_IsBool(v)) return mem_strdup(cJSON_IsTrue(v) ? "yes" : "no");
  if (!cJSON_IsObject(v)) return scalar_text(v);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) abort();
  print_pairs(f, v, " ");
  fclose(f);
  return buf;
}

/* One row per element of `rows` (objects), one column per key, under its
 * heading, columns as wide as their widest cell; the last is not padded. */
static void print_table(FILE *out, const cJSON *rows, const char *const *keys,
                        const char *const *heads) {
  size_t ncols = 0, nrows = (size_t)cJSON_GetArraySize(rows);
  while (keys[ncols]) ncols++;
  char **cells = mem_calloc((nrows + 1) * ncols, sizeof *cells);
  size_t *width = mem_calloc(ncols, sizeof *width);
  for (size_t c = 0; c < ncols; c++) cells[c] = mem_strdup(heads[c]);
  size_t r = 1;
  const cJSON *row;
  cJSON_ArrayForEach(row, rows) {
    for (size_t c = 0; c < ncols; c++)
      cells[r * ncols + c] = cell_text(cJSON_GetObjectItemCaseSensitive(row, keys[c]));
    r++;
  }
  for (size_t i = 0; i < (nrows + 1) * ncols; i++) {
    size_t w = strlen(cells[i]);
    if (w > width[i % ncols]) width[i % ncols] = w;
  }
  for (r = 0; r <= nrows; r++) {
    for (size_t c = 0; c < ncols; c++) {
      const char *s = cells[r * ncols + c];
      if (c + 1 < ncols)
        fprintf(out, "%-*s  ", (int)width[c], s);
      else
        fprintf(out, "%s\n", s);
    }
  }
  for (size_t i = 0; i < (nrows + 1) * ncols; i++) free(cells[i]);
  free(cells);
  free(width);
}

static void print_rows(FILE *out, const cJSON *rows, const char *const *keys,
                       const char *const *heads, int json) {
  const cJSON *row;
  if (!json) {
    print_table(out, rows, keys, heads);
    return;
  }
  cJSON_ArrayForEach(row, rows) print_json_line(out, row);
}

/* discover: [{sid, ip, port, model, proto_version}] as a table or JSON lines. */
void lumi_print_gateways(FILE *out, const cJSON *gateways, int json) {
  static const char *const keys[] = {"sid", "ip", "port", "model", "proto_version", NULL};
  static const char *const heads[] = {"SID", "IP", "PORT", "MODEL", "PROTO"};
  print_rows(out, gateways, keys, heads, json);
}

/* devices: every device of `driver`, in registry order (the gateway first). */
void lumi_print_devices(FILE *out, const registry_t *reg, const void *driver, int json) {
  static const char *const keys[] = {"sid",    "model", "kind", "name",
                                     "online", "state", NULL};
  static const char *const heads[] = {"SID", "MODEL", "KIND", "NAME", "ONLINE", "STATE"};
  cJSON *rows = cJSON_CreateArray();
  for (const device_t *d = reg->head; d; d = d->next)
    if (d->driver == driver) cJSON_AddItemToArray(rows, device_json(d));
  print_rows(out, rows, keys, heads, json);
  cJSON_Delete(rows);
}

static cJSON *device_head(const device_t *dev) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "sid", cJSON_CreateString(dev->id));
  cJSON_AddItemToObject(o, "model", opt_string(dev->model));
  return o;
}

/* read: KEY=VALUE lines, or {"sid","model","kind","state"}. */
void lumi_print_state(FILE *out, const device_t *dev, const value_t *values, size_t n,
                      int json) {
  cJSON *state = values_json(values, n);
  if (json) {
    cJSON *o = device_head(dev);
    cJSON_AddItemToObject(o, "kind", opt_string(dev->kind));
    cJSON_AddItemToObject(o, "state", state);
    print_json_line(out, o);
    cJSON_Delete(o);
    return;
  }
  print_pairs(out, state, "\n");
  if (n) fputc('\n', out);
  cJSON_Delete(state);
}

/* write: what was written and the state that came with the acknowledgement,
 * as two lines, or {"sid","model","written","ack"}. */
void lumi_print_written(FILE *out, const device_t *dev, const value_t *written,
                        size_t nwritten, const value_t *ack, size_t nack, int json) {
  cJSON *o = device_head(dev);
  cJSON *w = values_json(written, nwritten), *a = values_json(ack, nack);
  cJSON_AddItemToObject(o, "written", w);
  cJSON_AddItemToObject(o, "ack", a);
  if (json) {
    print_json_line(out, o);
  } else {
    fputs("ok: wrote ", out);
    print_pairs(out, w, " ");
    fprintf(out, " to %s (%s)\nack: ", dev->id, dev->model ? dev->model : "?");
    print_pairs(out, a, " ");
    fputc('\n', out);
  }
  cJSON_Delete(o);
}

/* One device event on one line: local time, device (sid, and name when it
 * has one), model, event, data as key=value; or, as JSON,
 * {"time","device","model","event","data"} with time in Unix seconds. */
void lumi_print_event(FILE *out, const bus_event_t *ev, int json) {
  const device_payload_t *p = ev->payload;
  cJSON *data = values_json(p->values, p->nvalues);
  if (json) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "time", round(ev->time * 1000) / 1000);
    cJSON_AddItemToObject(o, "device", cJSON_CreateString(ev->device));
    cJSON_AddItemToObject(o, "model", opt_string(ev->model));
    cJSON_AddItemToObject(o, "event", cJSON_CreateString(ev->name));
    cJSON_AddItemToObject(o, "data", data);
    print_json_line(out, o);
    cJSON_Delete(o);
  } else {
    char when[32], dev[96];
    time_t sec = (time_t)ev->time;
    struct tm tm;
    localtime_r(&sec, &tm);
    size_t n = strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03d",
             (int)((ev->time - (double)sec) * 1000) % 1000);
    if (ev->device_name)
      snprintf(dev, sizeof dev, "%s (%s)", ev->device, ev->device_name);
    else
      snprintf(dev, sizeof dev, "%s", ev->device);
    fprintf(out, "%s  %-14s  %-18s  ", when, dev, ev->model ? ev->model : "-");
    if (cJSON_GetArraySize(data) > 0) {
      fprintf(out, "%-18s  ", ev->name);
      print_pairs(out, data, " ");
    } else {
      fputs(ev->name, out);
    }
    fputc('\n', out);
    cJSON_Delete(data);
  }
  fflush(out);
}
