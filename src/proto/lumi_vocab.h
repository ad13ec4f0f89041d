/* The Lumi protocol's vocabulary: the attribute names and value words lumo
 * knows, as static strings with small ids. lumi_normalize() points every
 * known attribute key (and every known word value) of a message at these
 * strings, so the rest of the receive path compares integers and pointers
 * instead of strings, and a binding may cache anything it derives from them
 * by address. */
#ifndef LUMO_PROTO_LUMI_VOCAB_H
#define LUMO_PROTO_LUMI_VOCAB_H

#include <stddef.h>

typedef enum {
  LUMI_A_OTHER = 0, /* not in the vocabulary: kept as sent */
  LUMI_A_STATUS,
  LUMI_A_VOLTAGE,
  LUMI_A_TEMPERATURE,
  LUMI_A_HUMIDITY,
  LUMI_A_PRESSURE,
  LUMI_A_NO_MOTION,
  LUMI_A_NO_CLOSE,
  LUMI_A_CHANNEL_0,
  LUMI_A_CHANNEL_1,
  LUMI_A_DUAL_CHANNEL,
  LUMI_A_BUTTON_0,
  LUMI_A_BUTTON_1,
  LUMI_A_WINDOW_STATUS,
  LUMI_A_MOTION_STATUS,
  LUMI_A_WLEAK_STATUS,
  LUMI_A_CUBE_STATUS,
  LUMI_A_SMOKE_STATUS,
  LUMI_A_NATGAS_STATUS,
  LUMI_A_BATTERY_VOLTAGE,
  LUMI_A_ENERGY_CONSUMED,
  LUMI_A_LOAD_VOLTAGE,
  LUMI_A_ILLUMINATION,
  LUMI_A_LUX,
  LUMI_A_RGB,
  LUMI_A_LOAD_POWER,
  LUMI_A_POWER_CONSUMED,
  LUMI_A_CURTAIN_LEVEL,
  LUMI_A_ALARM,
  LUMI_A_DENSITY,
  LUMI_A_INUSE,
  LUMI_A_ROTATE_DEGREE,
  LUMI_A_DETECT_TIME,
  LUMI_A_ROTATE,
  LUMI_A_IP,
  LUMI_A_PROTO_VERSION,
  LUMI_A_MID,
  LUMI_A_COUNT
} lumi_attr_id_t;

/* The id of an attribute name of n bytes (LUMI_A_OTHER if unknown). */
lumi_attr_id_t lumi_attr_id(const char *key, size_t n);
/* The static name of an id ("" for LUMI_A_OTHER). */
const char *lumi_attr_name(lumi_attr_id_t id);

/* The words each kind's events are made of (NULL-terminated): a report's
 * value that is one of these raises the event of that name. */
extern const char *const lumi_switch_words[],
    *const lumi_cube_words[], *const lumi_vibration_words[],
                                  *const lumi_open_words[],
                                      *const lumi_motion_words[],
                                          *const lumi_on_words[],
                                              *const lumi_leak_words[];

/* The static copy of a known value word ("motion", "open", "click", "on",
 * "normal", ...: every word an event is made of), or NULL. */
const char *lumi_word(const char *s, size_t n);

#endif
