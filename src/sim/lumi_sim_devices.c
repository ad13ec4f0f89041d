/* The Lumi simulator's device set: models, default states, the proto 1 ->
 * proto 2 renaming of attributes, and loading devices from a JSON file. */
#include "sim/lumi_sim_internal.h"

#include "core/mem.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Proto 2 renames attributes per model (shared/PROTOCOLS.md §1.5, §1.6);
 * LUMI_KIND_UNKNOWN rows apply to every kind. */
static const struct {
  lumi_kind_t kind;
  const char *v1, *v2;
} v2_names[] = {
    {LUMI_KIND_MAGNET, "status", "window_status"},
    {LUMI_KIND_MOTION, "status", "motion_status"},
    {LUMI_KIND_SWITCH, "status", "button_0"},
    {LUMI_KIND_86SW1, "channel_0", "button_0"},
    {LUMI_KIND_86SW2, "channel_0", "button_0"},
    {LUMI_KIND_86SW2, "channel_1", "button_1"},
    {LUMI_KIND_CUBE, "status", "cube_status"},
    {LUMI_KIND_LEAK, "status", "wleak_status"},
    {LUMI_KIND_SMOKE, "alarm", "smoke_status"},
    {LUMI_KIND_NATGAS, "alarm", "natgas_status"},
    {LUMI_KIND_PLUG, "status", "channel_0"},
    {LUMI_KIND_PLUG, "power_consumed", "energy_consumed"},
    {LUMI_KIND_CURTAIN, "status", "curtain_status"},
    {LUMI_KIND_UNKNOWN, "voltage", "battery_voltage"},
};

const char *sim_wire_key(int proto, lumi_kind_t kind, const char *v1key) {
  if (proto != 2) return v1key;
  for (size_t i = 0; i < sizeof v2_names / sizeof v2_names[0]; i++)
    if ((v2_names[i].kind == kind || v2_names[i].kind == LUMI_KIND_UNKNOWN) &&
        !strcmp(v2_names[i].v1, v1key))
      return v2_names[i].v2;
  return v1key;
}

int sim_attr_is_event(int proto, lumi_kind_t kind, const char *key) {
  static const struct {
    lumi_kind_t kind;
    const char *v1;
  } events[] = {
      {LUMI_KIND_MOTION, "status"},      {LUMI_KIND_MOTION, "no_motion"},
      {LUMI_KIND_SWITCH, "status"},      {LUMI_KIND_86SW1, "channel_0"},
      {LUMI_KIND_86SW2, "channel_0"},    {LUMI_KIND_86SW2, "channel_1"},
      {LUMI_KIND_86SW2, "dual_channel"}, {LUMI_KIND_CUBE, "status"},
      {LUMI_KIND_CUBE, "rotate"},        {LUMI_KIND_CUBE, "rotate_degree"},
      {LUMI_KIND_CUBE, "detect_time"},   {LUMI_KIND_VIBRATION, "status"},
  };
  for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
    if (events[i].kind == kind && !strcmp(sim_wire_key(proto, kind, events[i].v1), key))
      return 1;
  return 0;
}

const char *sim_kind_label(lumi_kind_t kind) {
  switch (kind) {
  case LUMI_KIND_GATEWAY:
    return "a gateway";
  case LUMI_KIND_MAGNET:
    return "a door/window sensor";
  case LUMI_KIND_MOTION:
    return "a motion sensor";
  case LUMI_KIND_SWITCH:
    return "a button";
  case LUMI_KIND_86SW1:
    return "a one-key wall remote";
  case LUMI_KIND_86SW2:
    return "a two-key wall remote";
  case LUMI_KIND_HT:
    return "a temperature/humidity sensor";
  case LUMI_KIND_CUBE:
    return "a cube";
  case LUMI_KIND_SMOKE:
    return "a smoke sensor";
  case LUMI_KIND_NATGAS:
    return "a gas sensor";
  case LUMI_KIND_LEAK:
    return "a water-leak sensor";
  case LUMI_KIND_VIBRATION:
    return "a vibration sensor";
  case LUMI_KIND_PLUG:
    return "a plug";
  case LUMI_KIND_CTRL1:
    return "a one-gang wall switch";
  case LUMI_KIND_CTRL2:
    return "a two-gang wall switch";
  case LUMI_KIND_CURTAIN:
    return "a curtain motor";
  case LUMI_KIND_LOCK:
    return "a lock";
  default:
    return "an unknown device";
  }
}

/* ---- attributes ---- */

static sim_attr_t *find_attr(sim_device_t *d, const char *key) {
  for (int i = 0; i < d->nattrs; i++)
    if (!strcmp(d->attrs[i].key, key)) return &d->attrs[i];
  return NULL;
}

const sim_attr_t *sim_dev_get(const sim_device_t *d, const char *key) {
  return find_attr((sim_device_t *)d, key);
}

void sim_dev_set(sim_device_t *d, const char *key, const char *str, double num) {
  sim_attr_t *a = find_attr(d, key);
  if (!a) {
    if (d->nattrs == SIM_MAX_ATTRS) return; /* the console and files check first */
    a = &d->attrs[d->nattrs++];
    snprintf(a->key, sizeof a->key, "%s", key);
  }
  a->is_num = str == NULL;
  a->num = str ? 0 : num;
  snprintf(a->str, sizeof a->str, "%s", str ? str : "");
}

void sim_dev_unset(sim_device_t *d, const char *key) {
  sim_attr_t *a = find_attr(d, key);
  if (!a) return;
  int i = (int)(a - d->attrs);
  memmove(a, a + 1, (size_t)(d->nattrs - i - 1) * sizeof *a);
  d->nattrs--;
}

static int is_number(const char *s, double *out) {
  if (!*s || isspace((unsigned char)*s)) return 0;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*end || errno || !isfinite(v)) return 0;
  *out = v;
  return 1;
}

void sim_dev_set_v1(lumi_sim_t *s, sim_device_t *d, const char *key, const char *str,
                    double num, sim_attr_t *out) {
  const char *k = sim_wire_key(s->proto, d->kind, key);
  if (s->proto == 2 && str) {
    /* proto 2 words and numbers: analog values become JSON numbers */
    if (d->kind == LUMI_KIND_LEAK && !strcmp(key, "status") && !strcmp(str, "no_leak"))
      str = "normal";
    else if ((d->kind == LUMI_KIND_SMOKE || d->kind == LUMI_KIND_NATGAS) &&
             !strcmp(key, "alarm"))
      str = !strcmp(str, "0") ? "normal" : "alarm";
    else if (is_number(str, &num))
      str = NULL;
  }
  sim_dev_set(d, k, str, num);
  if (out) {
    /* from the arguments, not the state: a full device keeps no new keys */
    memset(out, 0, sizeof *out);
    snprintf(out->key, sizeof out->key, "%s", k);
    out->is_num = str == NULL;
    out->num = str ? 0 : num;
    snprintf(out->str, sizeof out->str, "%s", str ? str : "");
  }
}

void sim_attrs_json(const sim_attr_t *a, int n, char *out, size_t cap) {
  cJSON *o = cJSON_CreateObject();
  for (int i = 0; i < n; i++) {
    if (a[i].is_num)
      cJSON_AddNumberToObject(o, a[i].key, a[i].num);
    else
      cJSON_AddStringToObject(o, a[i].key, a[i].str);
  }
  if (!cJSON_PrintPreallocated(o, out, (int)cap, 0)) snprintf(out, cap, "{...}");
  cJSON_Delete(o);
}

/* ---- the set ---- */

sim_device_t *sim_dev_find(lumi_sim_t *s, const char *sid_or_name) {
  for (int i = 0; i < s->ndevs; i++)
    if (!strcmp(s->devs[i].sid, sid_or_name) || !strcmp(s->devs[i].name, sid_or_name))
      return &s->devs[i];
  return NULL;
}

int lumi_sim_device_count(const lumi_sim_t *s) {
  return s->ndevs - 1;
}

void sim_dev_remove(lumi_sim_t *s, sim_device_t *d) {
  int i = (int)(d - s->devs);
  if (i <= 0 || i >= s->ndevs) return;
  memmove(d, d + 1, (size_t)(s->ndevs - i - 1) * sizeof *d);
  s->ndevs--;
  if (s->dev_hb_next >= s->ndevs) s->dev_hb_next = 1;
}

static int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* A short id that stays the same for a sid across runs. */
static long short_id_of(const char *sid) {
  uint32_t h = 2166136261u;
  for (const char *p = sid; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
  return (long)(h % 65000u) + 1;
}

static void set_defaults(lumi_sim_t *s, sim_device_t *d) {
  const char *battery = "3025";
  switch (d->kind) {
  case LUMI_KIND_GATEWAY:
    sim_dev_set(d, "rgb", NULL, 0);
    sim_dev_set(d, "illumination", NULL, 300);
    sim_dev_set(d, "proto_version", s->proto == 2 ? "2.0.2" : "1.1.2", 0);
    return;
  case LUMI_KIND_MAGNET:
    sim_dev_set_v1(s, d, "status", "close", 0, NULL);
    break;
  case LUMI_KIND_MOTION:
    if (strstr(d->model, ".aq2")) sim_dev_set_v1(s, d, "lux", "120", 0, NULL);
    break;
  case LUMI_KIND_HT:
    sim_dev_set_v1(s, d, "temperature", "2150", 0, NULL);
    sim_dev_set_v1(s, d, "humidity", "4520", 0, NULL);
    if (strstr(d->model, "weather")) sim_dev_set_v1(s, d, "pressure", "100100", 0, NULL);
    break;
  case LUMI_KIND_SMOKE:
  case LUMI_KIND_NATGAS:
    sim_dev_set_v1(s, d, "alarm", "0", 0, NULL);
    sim_dev_set_v1(s, d, "density", "0", 0, NULL);
    break;
  case LUMI_KIND_LEAK:
    sim_dev_set_v1(s, d, "status", "no_leak", 0, NULL);
    break;
  case LUMI_KIND_PLUG:
    sim_dev_set_v1(s, d, "status", "off", 0, NULL);
    sim_dev_set_v1(s, d, "inuse", "0", 0, NULL);
    sim_dev_set_v1(s, d, "load_power", "0.00", 0, NULL);
    sim_dev_set_v1(s, d, "power_consumed", "0", 0, NULL);
    return; /* mains powered: no battery voltage */
  case LUMI_KIND_CTRL2:
    sim_dev_set_v1(s, d, "channel_1", "off", 0, NULL);
    /* fall through */
  case LUMI_KIND_CTRL1:
    sim_dev_set_v1(s, d, "channel_0", "off", 0, NULL);
    return;
  case LUMI_KIND_CURTAIN:
    sim_dev_set_v1(s, d, "curtain_level", "0", 0, NULL);
    return;
  default:
    break;
  }
  if (lumi_kind_is_battery(d->kind)) sim_dev_set_v1(s, d, "voltage", battery, 0, NULL);
}

static int check_sid(const char *sid, char *norm, char *err, size_t errlen) {
  size_t n = strlen(sid);
  if (n < 4 || n > LUMI_SID_MAX)
    return errf(err, errlen, "sid '%s' must be 4 to %d hex digits (real ones: 14)", sid,
                LUMI_SID_MAX);
  for (size_t i = 0; i < n; i++) {
    if (!isxdigit((unsigned char)sid[i]))
      return errf(err, errlen, "sid '%s' must be hex digits only (like 158d0001c2f110)",
                  sid);
    norm[i] = (char)tolower((unsigned char)sid[i]);
  }
  norm[n] = 0;
  return 0;
}

static sim_device_t *add(lumi_sim_t *s, const char *model, const char *sid,
                         const char *name, lumi_kind_t kind) {
  if (s->ndevs == s->capdevs) {
    s->capdevs = s->capdevs ? s->capdevs * 2 : 8;
    s->devs = mem_realloc(s->devs, (size_t)s->capdevs * sizeof *s->devs);
  }
  sim_device_t *d = &s->devs[s->ndevs++];
  memset(d, 0, sizeof *d);
  snprintf(d->sid, sizeof d->sid, "%s", sid);
  snprintf(d->model, sizeof d->model, "%s", model);
  snprintf(d->name, sizeof d->name, "%s", name ? name : "");
  d->kind = kind;
  d->short_id = kind == LUMI_KIND_GATEWAY ? 0 : short_id_of(sid);
  set_defaults(s, d);
  return d;
}

void sim_dev_add_gateway(lumi_sim_t *s) {
  add(s, s->proto == 2 ? "gateway.v3" : "gateway", s->sid, "gateway", LUMI_KIND_GATEWAY);
}

int lumi_sim_add_device(lumi_sim_t *s, const char *model, const char *sid,
                        const char *name, char *err, size_t errlen) {
  char norm[LUMI_SID_MAX + 1];
  if (check_sid(sid, norm, err, errlen)) return -1;
  lumi_kind_t kind = lumi_kind_of(model);
  if (kind == LUMI_KIND_UNKNOWN)
    return errf(err, errlen,
                "model '%s' is not one lumo knows (e.g. sensor_motion.aq2, magnet, "
                "sensor_switch.aq2, sensor_ht, weather.v1, plug, ctrl_neutral2, "
                "sensor_wleak.aq1)",
                model);
  if (kind == LUMI_KIND_GATEWAY)
    return errf(err, errlen, "model '%s' is a gateway: the simulator is the gateway",
                model);
  if (strlen(model) > LUMI_MODEL_MAX)
    return errf(err, errlen, "model '%.20s...' is too long", model);
  if (sim_dev_find(s, norm)) return errf(err, errlen, "sid %s is given twice", norm);
  if (name && *name) {
    for (const char *p = name; *p; p++)
      if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
        return errf(err, errlen,
                    "name '%s' may have only letters, digits, '_', '-' and '.'", name);
    if (strlen(name) >= SIM_NAME_MAX)
      return errf(err, errlen, "name '%s' is too long (at most %d characters)", name,
                  SIM_NAME_MAX - 1);
    if (sim_dev_find(s, name))
      return errf(err, errlen, "name '%s' is used twice (or is a sid)", name);
  }
  if (s->ndevs - 1 >= LUMI_MAX_DEVICES)
    return errf(err, errlen, "too many devices (at most %d)", LUMI_MAX_DEVICES);
  add(s, model, norm, name, kind);
  return 0;
}

int lumi_sim_add_device_spec(lumi_sim_t *s, const char *spec, char *err, size_t errlen) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", spec);
  char *sid = strchr(buf, ':');
  if (!sid || sid == buf || !sid[1])
    return errf(err, errlen,
                "--device needs MODEL:SID[:NAME] (e.g. plug:158d0001aabbcc:lamp), not "
                "'%s'",
                spec);
  *sid++ = 0;
  char *name = strchr(sid, ':');
  if (name) *name++ = 0;
  char sub[200];
  if (lumi_sim_add_device(s, buf, sid, name, sub, sizeof sub))
    return errf(err, errlen, "--device %s: %s", spec, sub);
  return 0;
}

void lumi_sim_add_default_devices(lumi_sim_t *s) {
  static const char *const set[][3] = {
      {"sensor_motion.aq2", "158d0001c2f110", "hall"},
      {"sensor_magnet.aq2", "158d0001d3a221", "door"},
      {"sensor_switch.aq2", "158d0001e4b332", "button"},
      {"sensor_ht", "158d0001f5c443", "lounge"},
      {"plug", "158d000200d554", "lamp"},
  };
  char err[200];
  for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
    if (lumi_sim_add_device(s, set[i][0], set[i][1], set[i][2], err, sizeof err) != 0)
      fprintf(stderr, "lumi-sim: default device: %s\n", err); /* not reached */
}

/* ---- the devices file ---- */

static char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = mem_alloc(cap);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      if (cap >= (1u << 20)) {
        fclose(f);
        free(buf);
        errf(err, errlen, "%s is larger than 1 MiB", path);
        return NULL;
      }
      cap *= 2;
      buf = mem_realloc(buf, cap);
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    errf(err, errlen, "cannot read %s", path);
    return NULL;
  }
  *len = n;
  return buf;
}

static int load_entry(lumi_sim_t *s, const char *path, int i, const cJSON *e, char *err,
                      size_t errlen) {
  if (!cJSON_IsObject(e))
    return errf(err, errlen, "%s: entry %d must be an object {\"sid\", \"model\", ...}",
                path, i + 1);
  const cJSON *sid = cJSON_GetObjectItemCaseSensitive(e, "sid");
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(e, "model");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
  const cJSON *state = cJSON_GetObjectItemCaseSensitive(e, "state");
  if (!cJSON_IsString(sid) || !cJSON_IsString(model))
    return errf(err, errlen, "%s: entry %d needs \"sid\" and \"model\" as strings", path,
                i + 1);
  if (name && !cJSON_IsString(name))
    return errf(err, errlen, "%s: entry %d: \"name\" must be a string", path, i + 1);
  if (state && !cJSON_IsObject(state))
    return errf(err, errlen, "%s: entry %d: \"state\" must be an object", path, i + 1);
  char sub[200];
  if (lumi_sim_add_device(s, model->valuestring, sid->valuestring,
                          name ? name->valuestring : NULL, sub, sizeof sub))
    return errf(err, errlen, "%s: entry %d: %s", path, i + 1, sub);
  sim_device_t *d = &s->devs[s->ndevs - 1];
  const cJSON *v;
  cJSON_ArrayForEach(v, state) {
    if (strlen(v->string) >= SIM_KEY_MAX ||
        (cJSON_IsString(v) && strlen(v->valuestring) >= SIM_VAL_MAX))
      return errf(err, errlen, "%s: entry %d: state.%.40s is too long", path, i + 1,
                  v->string);
    if (!cJSON_IsString(v) && !cJSON_IsNumber(v))
      return errf(err, errlen, "%s: entry %d: state.%s must be a string or a number",
                  path, i + 1, v->string);
    if (d->nattrs == SIM_MAX_ATTRS && !sim_dev_get(d, v->string))
      return errf(err, errlen, "%s: entry %d: more than %d state attributes", path, i + 1,
                  SIM_MAX_ATTRS);
    sim_dev_set_v1(s, d, v->string, cJSON_IsString(v) ? v->valuestring : NULL,
                   v->valuedouble, NULL);
  }
  return 0;
}

int lumi_sim_load_devices(lumi_sim_t *s, const char *path, char *err, size_t errlen) {
  size_t len;
  char *text = read_file(path, &len, err, errlen);
  if (!text) return -1;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (!root) {
    int line = 1;
    for (const char *p = text; end && p < end && p < text + len; p++) line += *p == '\n';
    free(text);
    return errf(err, errlen, "%s:%d: not valid JSON", path, line);
  }
  int rc = 0;
  if (!cJSON_IsArray(root)) {
    rc = errf(err, errlen,
              "%s must hold a JSON array of devices, e.g. "
              "[{\"sid\":\"158d0001c2f110\",\"model\":\"sensor_motion.aq2\",\"name\":"
              "\"hall\"}]",
              path);
  } else {
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, root) {
      if ((rc = load_entry(s, path, i++, e, err, errlen)) != 0) break;
    }
  }
  cJSON_Delete(root);
  free(text);
  return rc;
}
