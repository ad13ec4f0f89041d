/* The Lumi vocabulary as two small open-addressing hash tables, filled once
 * at start-up: one lookup costs a hash of the key and, almost always, one
 * memcmp. */
#include "proto/lumi_vocab.h"

#include <stdint.h>
#include <string.h>

static const char *const attr_names[LUMI_A_COUNT] = {
    [LUMI_A_OTHER] = "",
    [LUMI_A_STATUS] = "status",
    [LUMI_A_VOLTAGE] = "voltage",
    [LUMI_A_TEMPERATURE] = "temperature",
    [LUMI_A_HUMIDITY] = "humidity",
    [LUMI_A_PRESSURE] = "pressure",
    [LUMI_A_NO_MOTION] = "no_motion",
    [LUMI_A_NO_CLOSE] = "no_close",
    [LUMI_A_CHANNEL_0] = "channel_0",
    [LUMI_A_CHANNEL_1] = "channel_1",
    [LUMI_A_DUAL_CHANNEL] = "dual_channel",
    [LUMI_A_BUTTON_0] = "button_0",
    [LUMI_A_BUTTON_1] = "button_1",
    [LUMI_A_WINDOW_STATUS] = "window_status",
    [LUMI_A_MOTION_STATUS] = "motion_status",
    [LUMI_A_WLEAK_STATUS] = "wleak_status",
    [LUMI_A_CUBE_STATUS] = "cube_status",
    [LUMI_A_SMOKE_STATUS] = "smoke_status",
    [LUMI_A_NATGAS_STATUS] = "natgas_status",
    [LUMI_A_BATTERY_VOLTAGE] = "battery_voltage",
    [LUMI_A_ENERGY_CONSUMED] = "energy_consumed",
    [LUMI_A_LOAD_VOLTAGE] = "load_voltage",
    [LUMI_A_ILLUMINATION] = "illumination",
    [LUMI_A_LUX] = "lux",
    [LUMI_A_RGB] = "rgb",
    [LUMI_A_LOAD_POWER] = "load_power",
    [LUMI_A_POWER_CONSUMED] = "power_consumed",
    [LUMI_A_CURTAIN_LEVEL] = "curtain_level",
    [LUMI_A_ALARM] = "alarm",
    [LUMI_A_DENSITY] = "density",
    [LUMI_A_INUSE] = "inuse",
    [LUMI_A_ROTATE_DEGREE] = "rotate_degree",
    [LUMI_A_DETECT_TIME] = "detect_time",
    [LUMI_A_ROTATE] = "rotate",
    [LUMI_A_IP] = "ip",
    [LUMI_A_PROTO_VERSION] = "proto_version",
    [LUMI_A_MID] = "mid",
};

const char *const lumi_switch_words[] = {"click",
                                         "double_click",
                                         "long_click_press",
                                         "long_click_release",
                                         "long_click",
                                         "both_click",
                                         "double_both_click",
                                         "long_both_click",
                                         "shake",
                                         NULL};
const char *const lumi_cube_words[] = {"flip90",    "flip180", "move",  "tap_twice",
                                       "shake_air", "swing",   "alert", "free_fall",
                                       "rotate",    NULL};
const char *const lumi_vibration_words[] = {"vibrate", "tilt", "free_fall", "actively",
                                            NULL};
const char *const lumi_open_words[] = {"open", "close", NULL};
const char *const lumi_motion_words[] = {"motion", NULL};
const char *const lumi_on_words[] = {"on", "off", NULL};
const char *const lumi_leak_words[] = {"leak", "no_leak", NULL};
/* Words normalisation looks for besides (smoke and gas alarms; v2 leak). */
static const char *const other_words[] = {"normal", "alarm", "unknown", NULL};

static const char *const *const word_lists[] = {
    lumi_switch_words, lumi_cube_words, lumi_vibration_words, lumi_open_words,
    lumi_motion_words, lumi_on_words,   lumi_leak_words,      other_words};

#define SLOTS 256 /* a power of two, well above twice the entries */

typedef struct {
  const char *s; /* NULL: empty slot */
  size_t len;
  int id;
} slot_t;

static slot_t attr_table[SLOTS], word_table[SLOTS];

static uint32_t hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static void insert(slot_t *t, const char *s, int id) {
  size_t n = strlen(s);
  uint32_t i = hash(s, n) & (SLOTS - 1);
  while (t[i].s) i = (i + 1) & (SLOTS - 1);
  t[i] = (slot_t){s, n, id};
}

static const slot_t *find(const slot_t *t, const char *s, size_t n) {
  for (uint32_t i = hash(s, n) & (SLOTS - 1); t[i].s; i = (i + 1) & (SLOTS - 1))
    if (t[i].len == n && memcmp(t[i].s, s, n) == 0) return &t[i];
  return NULL;
}

__attribute__((constructor)) static void vocab_init(void) {
  for (int id = 1; id < LUMI_A_COUNT; id++) insert(attr_table, attr_names[id], id);
  /* A word in two lists (free_fall) is entered once: the first list's. */
  for (size_t l = 0; l < sizeof word_lists / sizeof word_lists[0]; l++)
    for (const char *const *w = word_lists[l]; *w; w++)
      if (!find(word_table, *w, strlen(*w))) insert(word_table, *w, 0);
}

lumi_attr_id_t lumi_attr_id(const char *key, size_t n) {
  const slot_t *e = find(attr_table, key, n);
  return e ? (lumi_attr_id_t)e->id : LUMI_A_OTHER;
}

const char *lumi_attr_name(lumi_attr_id_t id) {
  return id > LUMI_A_OTHER && id < LUMI_A_COUNT ? attr_names[id] : "";
}

const char *lumi_word(const char *s, size_t n) {
  const slot_t *e = find(word_table, s, n);
  return e ? e->s : NULL;
}
