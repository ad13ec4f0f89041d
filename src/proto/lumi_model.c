/* Lumi device models: every v1/v2 model name to one kind, attributes to one
 * vocabulary (v1 names, numbers in °C, %, kPa, mV, W), reports to events. */
#include "proto/lumi.h"

#include "proto/lumi_vocab.h"

#include <string.h>

static const struct {
  const char *model;
  lumi_kind_t kind;
} models[] = {
    {"gateway", LUMI_KIND_GATEWAY},
    {"gateway.v3", LUMI_KIND_GATEWAY},
    {"gateway.aq1", LUMI_KIND_GATEWAY},
    {"acpartner.v3", LUMI_KIND_GATEWAY},
    {"magnet", LUMI_KIND_MAGNET},
    {"sensor_magnet", LUMI_KIND_MAGNET},
    {"sensor_magnet.aq2", LUMI_KIND_MAGNET},
    {"motion", LUMI_KIND_MOTION},
    {"sensor_motion", LUMI_KIND_MOTION},
    {"sensor_motion.aq2", LUMI_KIND_MOTION},
    {"switch", LUMI_KIND_SWITCH},
    {"sensor_switch", LUMI_KIND_SWITCH},
    {"sensor_switch.aq2", LUMI_KIND_SWITCH},
    {"sensor_switch.aq3", LUMI_KIND_SWITCH},
    {"remote.b1acn01", LUMI_KIND_SWITCH},
    {"86sw1", LUMI_KIND_86SW1},
    {"sensor_86sw1", LUMI_KIND_86SW1},
    {"sensor_86sw1.aq1", LUMI_KIND_86SW1},
    {"remote.b186acn01", LUMI_KIND_86SW1},
    {"remote.b186acn02", LUMI_KIND_86SW1},
    {"86sw2", LUMI_KIND_86SW2},
    {"sensor_86sw2", LUMI_KIND_86SW2},
    {"sensor_86sw2.aq1", LUMI_KIND_86SW2},
    {"remote.b286acn01", LUMI_KIND_86SW2},
    {"remote.b286acn02", LUMI_KIND_86SW2},
    {"sensor_ht", LUMI_KIND_HT},
    {"weather.v1", LUMI_KIND_HT},
    {"weather", LUMI_KIND_HT},
    {"cube", LUMI_KIND_CUBE},
    {"sensor_cube", LUMI_KIND_CUBE},
    {"sensor_cube.aqgl01", LUMI_KIND_CUBE},
    {"smoke", LUMI_KIND_SMOKE},
    {"sensor_smoke", LUMI_KIND_SMOKE},
    {"natgas", LUMI_KIND_NATGAS},
    {"sensor_natgas", LUMI_KIND_NATGAS},
    {"sensor_wleak.aq1", LUMI_KIND_LEAK},
    {"vibration", LUMI_KIND_VIBRATION},
    {"vibration.aq1", LUMI_KIND_VIBRATION},
    {"plug", LUMI_KIND_PLUG},
    {"86plug", LUMI_KIND_PLUG},
    {"ctrl_86plug", LUMI_KIND_PLUG},
    {"ctrl_86plug.aq1", LUMI_KIND_PLUG},
    {"ctrl_neutral1", LUMI_KIND_CTRL1},
    {"ctrl_neutral1.aq1", LUMI_KIND_CTRL1},
    {"ctrl_ln1", LUMI_KIND_CTRL1},
    {"ctrl_ln1.aq1", LUMI_KIND_CTRL1},
    {"switch_b1lacn02", LUMI_KIND_CTRL1},
    {"switch.b1lacn02", LUMI_KIND_CTRL1},
    {"switch_b1nacn02", LUMI_KIND_CTRL1},
    {"switch.b1nacn02", LUMI_KIND_CTRL1},
    {"ctrl_neutral2", LUMI_KIND_CTRL2},
    {"ctrl_neutral2.aq1", LUMI_KIND_CTRL2},
    {"ctrl_ln2", LUMI_KIND_CTRL2},
    {"ctrl_ln2.aq1", LUMI_KIND_CTRL2},
    {"switch_b2lacn02", LUMI_KIND_CTRL2},
    {"switch.b2lacn02", LUMI_KIND_CTRL2},
    {"switch_b2nacn02", LUMI_KIND_CTRL2},
    {"switch.b2nacn02", LUMI_KIND_CTRL2},
    {"curtain", LUMI_KIND_CURTAIN},
    {"curtain.aq2", LUMI_KIND_CURTAIN},
    {"curtain.hagl04", LUMI_KIND_CURTAIN},
    {"lock.aq1", LUMI_KIND_LOCK},
    {"lock.acn02", LUMI_KIND_LOCK},
};

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

lumi_kind_t lumi_kind_of(const char *model) {
  if (!model) return LUMI_KIND_UNKNOWN;
  while (is_space(*model)) model++;
  size_t n = strlen(model);
  while (n && is_space(model[n - 1])) n--;
  if (n > 5 && memcmp(model, "lumi.", 5) == 0) model += 5, n -= 5;
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    if (strlen(models[i].model) == n && memcmp(models[i].model, model, n) == 0)
      return models[i].kind;
  return LUMI_KIND_UNKNOWN;
}

const char *lumi_kind_name(lumi_kind_t kind) {
  static const char *const names[LUMI_KIND_COUNT] = {
      "unknown",   "gateway",   "magnet",        "motion",        "switch",  "86sw1",
      "86sw2",     "sensor_ht", "cube",          "smoke",         "natgas",  "leak",
      "vibration", "plug",      "ctrl_neutral1", "ctrl_neutral2", "curtain", "lock"};
  return kind > LUMI_KIND_UNKNOWN && kind < LUMI_KIND_COUNT ? names[kind] : "unknown";
}

/* Gateways, plugs, wall switches, curtain motors and the gas detector are
 * mains powered; the rest are sleepy Zigbee end devices. */
int lumi_kind_is_battery(lumi_kind_t kind) {
  switch (kind) {
  case LUMI_KIND_MAGNET:
  case LUMI_KIND_MOTION:
  case LUMI_KIND_SWITCH:
  case LUMI_KIND_86SW1:
  case LUMI_KIND_86SW2:
  case LUMI_KIND_HT:
  case LUMI_KIND_CUBE:
  case LUMI_KIND_SMOKE:
  case LUMI_KIND_LEAK:
  case LUMI_KIND_VIBRATION:
  case LUMI_KIND_LOCK:
    return 1;
  default:
    return 0;
  }
}

/* ---- Normalisation ----------------------------------------------------- */

/* The v1 name of a v2 attribute for a device of `kind` (the id itself when
 * it is not renamed for that kind). */
static lumi_attr_id_t renamed(lumi_attr_id_t id, lumi_kind_t kind) {
  switch (id) {
  case LUMI_A_WINDOW_STATUS:
    return kind == LUMI_KIND_MAGNET ? LUMI_A_STATUS : id;
  case LUMI_A_MOTION_STATUS:
    return kind == LUMI_KIND_MOTION ? LUMI_A_STATUS : id;
  case LUMI_A_WLEAK_STATUS:
    return kind == LUMI_KIND_LEAK ? LUMI_A_STATUS : id;
  case LUMI_A_CUBE_STATUS:
    return kind == LUMI_KIND_CUBE ? LUMI_A_STATUS : id;
  case LUMI_A_BUTTON_0:
    if (kind == LUMI_KIND_SWITCH) return LUMI_A_STATUS;
    return kind == LUMI_KIND_86SW1 || kind == LUMI_KIND_86SW2 ? LUMI_A_CHANNEL_0 : id;
  case LUMI_A_BUTTON_1:
    return kind == LUMI_KIND_86SW2 ? LUMI_A_CHANNEL_1 : id;
  case LUMI_A_CHANNEL_0:
    return kind == LUMI_KIND_PLUG ? LUMI_A_STATUS : id;
  case LUMI_A_SMOKE_STATUS:
    return kind == LUMI_KIND_SMOKE ? LUMI_A_ALARM : id;
  case LUMI_A_NATGAS_STATUS:
    return kind == LUMI_KIND_NATGAS ? LUMI_A_ALARM : id;
  case LUMI_A_BATTERY_VOLTAGE:
    return LUMI_A_VOLTAGE;
  case LUMI_A_ENERGY_CONSUMED:
    return LUMI_A_POWER_CONSUMED;
  default:
    return id;
  }
}

/* Attributes that are numbers, and the divisor that brings them to °C, %,
 * kPa. `always`: scaled when they arrive as numbers too (v2); `invalid`:
 * the raw value v2 sends for "no reading", dropped. */
typedef struct {
  unsigned char numeric, always, has_invalid;
  double scale, invalid;
} numeric_t;

static const numeric_t numeric[LUMI_A_COUNT] = {
    [LUMI_A_TEMPERATURE] = {1, 1, 1, 100, 10000},
    [LUMI_A_HUMIDITY] = {1, 1, 1, 100, 0},
    [LUMI_A_PRESSURE] = {1, 1, 1, 1000, 0},
    [LUMI_A_VOLTAGE] = {1, 0, 0, 1, 0},
    [LUMI_A_LOAD_VOLTAGE] = {1, 0, 0, 1, 0},
    [LUMI_A_ILLUMINATION] = {1, 0, 0, 1, 0},
    [LUMI_A_LUX] = {1, 0, 0, 1, 0},
    [LUMI_A_RGB] = {1, 0, 0, 1, 0},
    [LUMI_A_NO_MOTION] = {1, 0, 0, 1, 0},
    [LUMI_A_NO_CLOSE] = {1, 0, 0, 1, 0},
    [LUMI_A_LOAD_POWER] = {1, 0, 0, 1, 0},
    [LUMI_A_POWER_CONSUMED] = {1, 0, 0, 1, 0},
    [LUMI_A_CURTAIN_LEVEL] = {1, 0, 0, 1, 0},
    [LUMI_A_ALARM] = {1, 0, 0, 1, 0},
    [LUMI_A_DENSITY] = {1, 0, 0, 1, 0},
    [LUMI_A_INUSE] = {1, 0, 0, 1, 0},
    [LUMI_A_ROTATE_DEGREE] = {1, 0, 0, 1, 0},
    [LUMI_A_DETECT_TIME] = {1, 0, 0, 1, 0},
};

/* A plain decimal string (-?[0-9]+(\.[0-9]+)?, at most 18 digits) as a
 * double, computed without strtod so the locale cannot change it. */
static int decimal(const char *s, double *out) {
  unsigned long long m = 0;
  int digits = 0, frac = -1, neg = *s == '-';
  s += neg;
  for (; *s; s++) {
    if (*s == '.' && frac < 0 && digits > 0) {
      frac = 0;
      continue;
    }
    if (*s < '0' || *s > '9' || ++digits > 18) return 0;
    m = m * 10 + (unsigned)(*s - '0');
    if (frac >= 0) frac++;
  }
  if (digits == 0 || frac == 0) return 0;
  double p = 1;
  for (int i = 0; i < frac; i++) p *= 10;
  *out = (neg ? -(double)m : (double)m) / p;
  return 1;
}

/* The numeric value of a number or numeric-string attribute. */
static int attr_number(const lumi_attr_t *a, double *out) {
  if (a->type == LUMI_VAL_NUMBER) {
    *out = a->num;
    return 1;
  }
  return a->type == LUMI_VAL_STRING && a->str && decimal(a->str, out);
}

static int str_is(const lumi_attr_t *a, const char *value) {
  return a->type == LUMI_VAL_STRING && a->str && strcmp(a->str, value) == 0;
}

static void set_number(lumi_attr_t *a, double v) {
  a->type = LUMI_VAL_NUMBER;
  a->num = v;
  a->str = NULL;
  a->str_static = 0;
}

static void rename_attr(lumi_attr_t *a, lumi_kind_t kind) {
  lumi_attr_id_t to = renamed((lumi_attr_id_t)a->id, kind);
  if ((int)to == a->id) {
    if (kind == LUMI_KIND_LEAK && to == LUMI_A_STATUS && str_is(a, "normal"))
      a->str = lumi_word("no_leak", 7), a->str_static = 1;
    return;
  }
  if (to == LUMI_A_ALARM) {
    /* smoke/natgas normal/alarm -> alarm 0/1; other words stay as they came */
    if (str_is(a, "normal"))
      set_number(a, 0);
    else if (str_is(a, "alarm"))
      set_number(a, 1);
    else
      return;
  }
  a->id = to;
  a->key = lumi_attr_name(to);
  if (kind == LUMI_KIND_LEAK && to == LUMI_A_STATUS && str_is(a, "normal"))
    a->str = lumi_word("no_leak", 7), a->str_static = 1;
}

/* Converts a numeric attribute; 0 when it is an invalid marker to drop. */
static int convert(lumi_attr_t *a) {
  const numeric_t *n = &numeric[a->id];
  double v;
  if (!n->numeric) return 1;
  if (a->type == LUMI_VAL_NUMBER && !n->always) return 1;
  if (!attr_number(a, &v)) return 1;
  if (n->has_invalid && v == n->invalid) return 0;
  set_number(a, v / n->scale);
  return 1;
}

/* Points a known key, and the word value of an attribute that carries
 * words, at the vocabulary's static strings. */
static void intern(lumi_attr_t *a) {
  size_t n = strlen(a->key);
  a->str_static = 0;
  a->id = lumi_attr_id(a->key, n);
  if (a->id == LUMI_A_OTHER) return;
  a->key = lumi_attr_name((lumi_attr_id_t)a->id);
  if (a->type != LUMI_VAL_STRING || !a->str) return;
  switch (a->id) {
  case LUMI_A_STATUS:
  case LUMI_A_CHANNEL_0:
  case LUMI_A_CHANNEL_1:
  case LUMI_A_DUAL_CHANNEL:
  case LUMI_A_BUTTON_0:
  case LUMI_A_BUTTON_1:
  case LUMI_A_WINDOW_STATUS:
  case LUMI_A_MOTION_STATUS:
  case LUMI_A_WLEAK_STATUS:
  case LUMI_A_CUBE_STATUS: {
    const char *w = lumi_word(a->str, strlen(a->str));
    if (w) {
      a->str = w;
      a->str_static = 1;
    }
    break;
  }
  default:
    break;
  }
}

void lumi_normalize(lumi_msg_t *msg, lumi_kind_t kind) {
  int known = kind > LUMI_KIND_UNKNOWN && kind < LUMI_KIND_COUNT;
  int out = 0;
  for (int i = 0; i < msg->nattrs; i++) {
    lumi_attr_t a = msg->attrs[i];
    if (!a.key) continue;
    intern(&a);
    if (known) {
      rename_attr(&a, kind);
      if (!convert(&a)) continue;
    }
    msg->attrs[out++] = a;
  }
  msg->nattrs = out;
}

/* ---- Events ------------------------------------------------------------ */

/* The static word of `words` equal to a string attribute's value, or NULL.
 * A normalised word value is usually the list's own pointer (a word in two
 * lists, free_fall, is one list's): compared by address first. */
static const char *word(const lumi_attr_t *a, const char *const *words) {
  if (a->type != LUMI_VAL_STRING || !a->str) return NULL;
  for (const char *const *w = words; *w; w++)
    if (a->str == *w) return *w;
  for (; *words; words++)
    if (strcmp(a->str, *words) == 0) return *words;
  return NULL;
}

/* N for a "channel_N" key (one digit), else -1. */
static int channel(const lumi_attr_t *a) {
  if (a->id == LUMI_A_CHANNEL_0) return 0;
  if (a->id == LUMI_A_CHANNEL_1) return 1;
  const char *key = a->key;
  if (a->id != LUMI_A_OTHER || strncmp(key, "channel_", 8) != 0) return -1;
  return key[8] >= '0' && key[8] <= '9' && key[9] == '\0' ? key[8] - '0' : -1;
}

/* The event one attribute means for a device of `kind`, or NULL. */
static const char *event_of(const lumi_attr_t *a, lumi_kind_t kind, int *ch) {
  int status = a->id == LUMI_A_STATUS;
  double v;
  *ch = channel(a);
  switch (kind) {
  case LUMI_KIND_MAGNET:
    if (status) return word(a, lumi_open_words);
    return a->id == LUMI_A_NO_CLOSE ? "no_close" : NULL;
  case LUMI_KIND_MOTION:
    if (status) return word(a, lumi_motion_words);
    return a->id == LUMI_A_NO_MOTION ? "no_motion" : NULL;
  case LUMI_KIND_SWITCH:
    return status ? word(a, lumi_switch_words) : NULL;
  case LUMI_KIND_86SW1:
  case LUMI_KIND_86SW2:
    if (*ch >= 0 || a->id == LUMI_A_DUAL_CHANNEL) return word(a, lumi_switch_words);
    return NULL;
  case LUMI_KIND_PLUG:
    return status ? word(a, lumi_on_words) : NULL;
  case LUMI_KIND_CTRL1:
  case LUMI_KIND_CTRL2:
    return *ch >= 0 ? word(a, lumi_on_words) : NULL;
  case LUMI_KIND_LEAK:
    return status ? word(a, lumi_leak_words) : NULL;
  case LUMI_KIND_SMOKE:
  case LUMI_KIND_NATGAS:
    if (a->id != LUMI_A_ALARM || !attr_number(a, &v)) return NULL;
    return v == 0 ? "alarm_clear" : v == 1 || v == 2 ? "alarm" : NULL;
  case LUMI_KIND_CUBE:
    if (a->id == LUMI_A_ROTATE) return "rotate"; /* v1: "angle,ms" */
    return status ? word(a, lumi_cube_words) : NULL;
  case LUMI_KIND_VIBRATION:
    return status ? word(a, lumi_vibration_words) : NULL;
  default:
    return NULL;
  }
}

int lumi_events(const lumi_msg_t *msg, lumi_kind_t kind, lumi_event_t *out, int max) {
  int n = 0;
  for (int i = 0; i < msg->nattrs && n < max; i++) {
    int ch;
    if (!msg->attrs[i].key) continue;
    const char *name = event_of(&msg->attrs[i], kind, &ch);
    if (!name) continue;
    out[n].name = name;
    out[n].attr = i;
    out[n].channel = ch;
    n++;
  }
  return n;
}
