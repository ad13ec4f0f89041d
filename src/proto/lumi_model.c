/* Lumi device models: every v1/v2 model name to one kind, attributes to one
 * vocabulary (v1 names, numbers in °C, %, kPa, mV, W), reports to events. */
#include "proto/lumi.h"

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

/* v2 attribute names to v1 ones; kind UNKNOWN here means every known kind. */
static const struct {
  lumi_kind_t kind;
  const char *from, *to;
} renames[] = {
    {LUMI_KIND_MAGNET, "window_status", "status"},
    {LUMI_KIND_MOTION, "motion_status", "status"},
    {LUMI_KIND_LEAK, "wleak_status", "status"},
    {LUMI_KIND_CUBE, "cube_status", "status"},
    {LUMI_KIND_SWITCH, "button_0", "status"},
    {LUMI_KIND_86SW1, "button_0", "channel_0"},
    {LUMI_KIND_86SW2, "button_0", "channel_0"},
    {LUMI_KIND_86SW2, "button_1", "channel_1"},
    {LUMI_KIND_PLUG, "channel_0", "status"},
    {LUMI_KIND_SMOKE, "smoke_status", "alarm"},
    {LUMI_KIND_NATGAS, "natgas_status", "alarm"},
    {LUMI_KIND_UNKNOWN, "battery_voltage", "voltage"},
    {LUMI_KIND_UNKNOWN, "energy_consumed", "power_consumed"},
};

/* Attributes that are numbers, and the divisor that brings them to °C, %,
 * kPa. `always`: scaled when they arrive as numbers too (v2); `invalid`:
 * the raw value v2 sends for "no reading", dropped. */
static const struct {
  const char *key;
  double scale;
  int always, has_invalid;
  double invalid;
} numeric[] = {
    {"temperature", 100, 1, 1, 10000},
    {"humidity", 100, 1, 1, 0},
    {"pressure", 1000, 1, 1, 0},
    {"voltage", 1, 0, 0, 0},
    {"load_voltage", 1, 0, 0, 0},
    {"illumination", 1, 0, 0, 0},
    {"lux", 1, 0, 0, 0},
    {"rgb", 1, 0, 0, 0},
    {"no_motion", 1, 0, 0, 0},
    {"no_close", 1, 0, 0, 0},
    {"load_power", 1, 0, 0, 0},
    {"power_consumed", 1, 0, 0, 0},
    {"curtain_level", 1, 0, 0, 0},
    {"alarm", 1, 0, 0, 0},
    {"density", 1, 0, 0, 0},
    {"inuse", 1, 0, 0, 0},
    {"rotate_degree", 1, 0, 0, 0},
    {"detect_time", 1, 0, 0, 0},
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
}

static void rename_attr(lumi_attr_t *a, lumi_kind_t kind) {
  for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++) {
    if (renames[i].kind != LUMI_KIND_UNKNOWN && renames[i].kind != kind) continue;
    if (strcmp(a->key, renames[i].from) != 0) continue;
    if ((kind == LUMI_KIND_SMOKE || kind == LUMI_KIND_NATGAS) &&
        renames[i].kind == kind) {
      /* normal/alarm -> alarm 0/1; other words stay as they came */
      if (str_is(a, "normal"))
        set_number(a, 0);
      else if (str_is(a, "alarm"))
        set_number(a, 1);
      else
        return;
    }
    a->key = renames[i].to;
    break;
  }
  if (kind == LUMI_KIND_LEAK && strcmp(a->key, "status") == 0 && str_is(a, "normal"))
    a->str = "no_leak";
}

/* Converts a numeric attribute; 0 when it is an invalid marker to drop. */
static int convert(lumi_attr_t *a) {
  for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
    if (strcmp(a->key, numeric[i].key) != 0) continue;
    double v;
    if (a->type == LUMI_VAL_NUMBER && !numeric[i].always) return 1;
    if (!attr_number(a, &v)) return 1;
    if (numeric[i].has_invalid && v == numeric[i].invalid) return 0;
    set_number(a, v / numeric[i].scale);
    return 1;
  }
  return 1;
}

void lumi_normalize(lumi_msg_t *msg, lumi_kind_t kind) {
  if (kind <= LUMI_KIND_UNKNOWN || kind >= LUMI_KIND_COUNT) return;
  int out = 0;
  for (int i = 0; i < msg->nattrs; i++) {
    lumi_attr_t a = msg->attrs[i];
    if (!a.key) continue;
    rename_attr(&a, kind);
    if (convert(&a)) msg->attrs[out++] = a;
  }
  msg->nattrs = out;
}

/* ---- Events ------------------------------------------------------------ */

static const char *const switch_words[] = {"click",
                                           "double_click",
                                           "long_click_press",
                                           "long_click_release",
                                           "long_click",
                                           "both_click",
                                           "double_both_click",
                                           "long_both_click",
                                           "shake",
                                           NULL};
static const char *const cube_words[] = {"flip90",    "flip180", "move",  "tap_twice",
                                         "shake_air", "swing",   "alert", "free_fall",
                                         "rotate",    NULL};
static const char *const vibration_words[] = {"vibrate", "tilt", "free_fall", "actively",
                                              NULL};
static const char *const open_words[] = {"open", "close", NULL};
static const char *const motion_words[] = {"motion", NULL};
static const char *const on_words[] = {"on", "off", NULL};
static const char *const leak_words[] = {"leak", "no_leak", NULL};

/* The static word of `words` equal to a string attribute's value, or NULL. */
static const char *word(const lumi_attr_t *a, const char *const *words) {
  if (a->type != LUMI_VAL_STRING || !a->str) return NULL;
  for (; *words; words++)
    if (strcmp(a->str, *words) == 0) return *words;
  return NULL;
}

/* N for a "channel_N" key (one digit), else -1. */
static int channel(const char *key) {
  if (strncmp(key, "channel_", 8) != 0) return -1;
  return key[8] >= '0' && key[8] <= '9' && key[9] == '\0' ? key[8] - '0' : -1;
}

/* The event one attribute means for a device of `kind`, or NULL. */
static const char *event_of(const lumi_attr_t *a, lumi_kind_t kind, int *ch) {
  int status = strcmp(a->key, "status") == 0;
  double v;
  *ch = channel(a->key);
  switch (kind) {
  case LUMI_KIND_MAGNET:
    if (status) return word(a, open_words);
    return strcmp(a->key, "no_close") == 0 ? "no_close" : NULL;
  case LUMI_KIND_MOTION:
    if (status) return word(a, motion_words);
    return strcmp(a->key, "no_motion") == 0 ? "no_motion" : NULL;
  case LUMI_KIND_SWITCH:
    return status ? word(a, switch_words) : NULL;
  case LUMI_KIND_86SW1:
  case LUMI_KIND_86SW2:
    if (*ch >= 0 || strcmp(a->key, "dual_channel") == 0) return word(a, switch_words);
    return NULL;
  case LUMI_KIND_PLUG:
    return status ? word(a, on_words) : NULL;
  case LUMI_KIND_CTRL1:
  case LUMI_KIND_CTRL2:
    return *ch >= 0 ? word(a, on_words) : NULL;
  case LUMI_KIND_LEAK:
    return status ? word(a, leak_words) : NULL;
  case LUMI_KIND_SMOKE:
  case LUMI_KIND_NATGAS:
    if (strcmp(a->key, "alarm") != 0 || !attr_number(a, &v)) return NULL;
    return v == 0 ? "alarm_clear" : v == 1 || v == 2 ? "alarm" : NULL;
  case LUMI_KIND_CUBE:
    if (strcmp(a->key, "rotate") == 0) return "rotate"; /* v1: "angle,ms" */
    return status ? word(a, cube_words) : NULL;
  case LUMI_KIND_VIBRATION:
    return status ? word(a, vibration_words) : NULL;
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
