/* Devices as the engine knows them: an id, a model and kind, a name, the
 * last value of every attribute, and whether the device is reachable. The
 * registry owns them; drivers update them; bindings read them. Protocol
 * agnostic: a driver translates its own messages into values. */
#ifndef LUMO_CORE_DEVICE_H
#define LUMO_CORE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  VALUE_NULL = 0,
  VALUE_BOOL,
  VALUE_NUMBER,
  VALUE_STRING,
  VALUE_JSON, /* a nested object/array as compact JSON text */
} value_type_t;

/* A value as passed around: a view, nothing owned. */
typedef struct {
  const char *key;
  value_type_t type;
  double num;      /* NUMBER, BOOL (0/1) */
  const char *str; /* STRING, JSON */
  /* key (str) is a string with static storage (a driver's vocabulary): a
   * store may keep the pointer, and compare by it, instead of copying */
  unsigned char key_static, str_static;
} value_t;

typedef struct device device_t;

/* Completion of an asynchronous device command. `err` is NULL on success;
 * `values` (may be NULL) is what the device answered. */
typedef void (*device_done_fn)(void *arg, const char *err, const value_t *values,
                               size_t n);

/* What a driver lets the engine do with its devices. */
typedef struct {
  const char *protocol; /* "lumi", "tuya", ... */
  /* Asks the device for its current state. */
  int (*read)(device_t *dev, device_done_fn done, void *arg);
  /* Sets attributes (normalised names). */
  int (*write)(device_t *dev, const value_t *values, size_t n, device_done_fn done,
               void *arg);
} device_ops_t;

typedef struct {
  const char *key; /* owned unless key_static */
  value_type_t type;
  double num;
  char *str;
  unsigned char key_static;
} device_value_t;

struct device {
  char *id; /* protocol's id: Lumi sid */
  char *model;
  const char *kind; /* static string from the driver's model table */
  int kind_code;    /* the driver's own code for the kind (cached lookup) */
  char *name;       /* user's name, or NULL */
  char *parent;     /* id of the gateway it belongs to, or NULL */
  const device_ops_t *ops;
  void *driver; /* the driver instance that owns it */
  int online;
  double last_seen; /* Unix seconds of the last message from it */
  double timeout;   /* silence (s) after which it is offline; 0 = never */
  device_value_t *state;
  size_t nstate, capstate;
  uint32_t hash;
  device_t *chain;       /* hash bucket */
  device_t *prev, *next; /* registry order */
};

/* The payload of a device event on the bus (payload_kind PAYLOAD_DEVICE):
 * the device and the values that came with the event. */
#define PAYLOAD_DEVICE 2
typedef struct {
  device_t *dev;
  const value_t *values;
  size_t nvalues;
} device_payload_t;

typedef struct {
  device_t **buckets;
  size_t nbuckets, count;
  device_t *head, *tail;
} registry_t;

void registry_init(registry_t *reg);
void registry_close(registry_t *reg);

device_t *registry_get(const registry_t *reg, const char *id);
/* By id, or else by name. */
device_t *registry_find(const registry_t *reg, const char *id_or_name);
/* Returns the device with this id, creating it (online, no state) if new.
 * *created tells which (may be NULL). */
device_t *registry_add(registry_t *reg, const char *id, int *created);
void registry_remove(registry_t *reg, device_t *dev);

void device_set_model(device_t *dev, const char *model);
void device_set_name(device_t *dev, const char *name);
void device_set_parent(device_t *dev, const char *parent);
/* Stores a value; returns 0 if it equals the one stored before, 1 if it
 * changed, DEVICE_VALUE_NEW if the device had no value of that key. */
#define DEVICE_VALUE_NEW 2
int device_set_value(device_t *dev, const value_t *v);
const device_value_t *device_get_value(const device_t *dev, const char *key);

#endif
