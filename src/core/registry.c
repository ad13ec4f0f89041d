/* The device registry: devices by id in a hash table (and in arrival order
 * for listing), each with its last known value of every attribute. */
#include "core/device.h"

#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

void registry_init(registry_t *reg) {
  memset(reg, 0, sizeof *reg);
  reg->nbuckets = 64;
  reg->buckets = mem_calloc(reg->nbuckets, sizeof *reg->buckets);
}

static void device_free(device_t *dev) {
  for (size_t i = 0; i < dev->nstate; i++) {
    if (!dev->state[i].key_static) free((char *)dev->state[i].key);
    free(dev->state[i].str);
  }
  free(dev->state);
  free(dev->id);
  free(dev->model);
  free(dev->name);
  free(dev->parent);
  free(dev);
}

void registry_close(registry_t *reg) {
  device_t *d = reg->head;
  while (d) {
    device_t *next = d->next;
    device_free(d);
    d = next;
  }
  free(reg->buckets);
  memset(reg, 0, sizeof *reg);
}

device_t *registry_get(const registry_t *reg, const char *id) {
  if (!reg->buckets) return NULL;
  uint32_t h = hash_str(id);
  for (device_t *d = reg->buckets[h % reg->nbuckets]; d; d = d->chain)
    if (d->hash == h && strcmp(d->id, id) == 0) return d;
  return NULL;
}

device_t *registry_find(const registry_t *reg, const char *id_or_name) {
  device_t *d = registry_get(reg, id_or_name);
  if (d) return d;
  for (d = reg->head; d; d = d->next)
    if (d->name && strcmp(d->name, id_or_name) == 0) return d;
  return NULL;
}

static void grow(registry_t *reg) {
  size_t n = reg->nbuckets * 2;
  device_t **b = mem_calloc(n, sizeof *b);
  for (device_t *d = reg->head; d; d = d->next) {
    d->chain = b[d->hash % n];
    b[d->hash % n] = d;
  }
  free(reg->buckets);
  reg->buckets = b;
  reg->nbuckets = n;
}

device_t *registry_add(registry_t *reg, const char *id, int *created) {
  device_t *d = registry_get(reg, id);
  if (created) *created = d == NULL;
  if (d) return d;
  if (reg->count + 1 > reg->nbuckets) grow(reg);
  d = mem_calloc(1, sizeof *d);
  d->id = mem_strdup(id);
  d->hash = hash_str(id);
  d->online = 1;
  d->chain = reg->buckets[d->hash % reg->nbuckets];
  reg->buckets[d->hash % reg->nbuckets] = d;
  d->prev = reg->tail;
  if (reg->tail)
    reg->tail->next = d;
  else
    reg->head = d;
  reg->tail = d;
  reg->count++;
  return d;
}

void registry_remove(registry_t *reg, device_t *dev) {
  device_t **pp = &reg->buckets[dev->hash % reg->nbuckets];
  while (*pp && *pp != dev) pp = &(*pp)->chain;
  if (*pp) *pp = dev->chain;
  if (dev->prev)
    dev->prev->next = dev->next;
  else
    reg->head = dev->next;
  if (dev->next)
    dev->next->prev = dev->prev;
  else
    reg->tail = dev->prev;
  reg->count--;
  device_free(dev);
}

static void set_str(char **field, const char *s) {
  if (*field && s && strcmp(*field, s) == 0) return;
  free(*field);
  *field = s ? mem_strdup(s) : NULL;
}

void device_set_model(device_t *dev, const char *model) {
  set_str(&dev->model, model);
}

void device_set_name(device_t *dev, const char *name) {
  set_str(&dev->name, name);
}

void device_set_parent(device_t *dev, const char *parent) {
  set_str(&dev->parent, parent);
}

const device_value_t *device_get_value(const device_t *dev, const char *key) {
  /* Keys from a driver's vocabulary are the same pointer every time. */
  for (size_t i = 0; i < dev->nstate; i++)
    if (dev->state[i].key == key) return &dev->state[i];
  for (size_t i = 0; i < dev->nstate; i++)
    if (strcmp(dev->state[i].key, key) == 0) return &dev->state[i];
  return NULL;
}

static int same(const device_value_t *have, const value_t *v) {
  if (have->type != v->type) return 0;
  switch (v->type) {
  case VALUE_NULL:
    return 1;
  case VALUE_BOOL:
  case VALUE_NUMBER:
    return have->num == v->num;
  default:
    return have->str && v->str && strcmp(have->str, v->str) == 0;
  }
}

int device_set_value(device_t *dev, const value_t *v) {
  device_value_t *slot = (device_value_t *)device_get_value(dev, v->key);
  int rc = 1;
  if (slot && same(slot, v)) return 0;
  if (!slot) {
    if (dev->nstate == dev->capstate) {
      dev->capstate = dev->capstate ? dev->capstate * 2 : 4;
      dev->state = mem_realloc(dev->state, dev->capstate * sizeof *dev->state);
    }
    slot = &dev->state[dev->nstate++];
    slot->key_static = v->key_static;
    slot->key = v->key_static ? v->key : mem_strdup(v->key);
    slot->str = NULL;
    rc = DEVICE_VALUE_NEW;
  }
  slot->type = v->type;
  slot->num = v->num;
  if (v->type == VALUE_STRING || v->type == VALUE_JSON) {
    /* Reuse the buffer when the new string fits (a state update without a
     * fresh allocation: reports mostly repeat a value's length). */
    size_t n = strlen(v->str);
    if (slot->str && strlen(slot->str) >= n) {
      memcpy(slot->str, v->str, n + 1);
    } else {
      free(slot->str);
      slot->str = mem_strndup(v->str, n);
    }
  } else {
    free(slot->str);
    slot->str = NULL;
  }
  return rc;
}
