/* libFuzzer harness holding the flat scanner (src/proto/lumi_flat.c) to the
 * cJSON path: whenever lumi_parse_flat accepts a datagram, lumi_parse_json
 * must accept it too and give the same message field for field
 * (lumi_msg_equal); otherwise the scanner must say LUMI_FLAT_FALLBACK and
 * nothing else. lumi_parse, the two combined, must answer exactly as
 * lumi_parse_json does. The seeds are flat datagrams and near misses, so
 * that most mutations stay close to the shape the scanner takes. A broken
 * promise calls abort(). */
#include "lumi_equal.h"
#include "proto/lumi_parse_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void fail(const char *what, const char *why, const uint8_t *data, size_t size) {
  fprintf(stderr, "fuzz_lumi_flat: %s%s%s\n  input (%zu bytes): %.*s\n", what,
          why ? ": " : "", why ? why : "", size, (int)size, (const char *)data);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lumi_msg_t *flat = malloc(sizeof *flat), *json = malloc(sizeof *json);
  lumi_msg_t *both = malloc(sizeof *both);
  if (!flat || !json || !both) abort();
  const char *buf = (const char *)data;
  char why[256];

  int rc_flat = lumi_parse_flat(buf, size, flat);
  int rc_json = lumi_parse_json(buf, size, json);
  if (rc_flat != LUMI_OK && rc_flat != LUMI_FLAT_FALLBACK)
    fail("lumi_parse_flat returned neither LUMI_OK nor the fallback", NULL, data, size);
  if (rc_flat == LUMI_OK) {
    if (rc_json != LUMI_OK) {
      snprintf(why, sizeof why, "lumi_parse_json says %d (%s)", rc_json,
               lumi_strerror(rc_json));
      fail("the scanner accepted what cJSON refuses", why, data, size);
    }
    if (!lumi_msg_equal(flat, json, why, sizeof why))
      fail("the scanner and cJSON differ", why, data, size);
  }

  int rc = lumi_parse(buf, size, both);
  if (rc != rc_json) {
    snprintf(why, sizeof why, "%d vs lumi_parse_json's %d", rc, rc_json);
    fail("lumi_parse's status differs", why, data, size);
  }
  if (rc == LUMI_OK && !lumi_msg_equal(both, json, why, sizeof why))
    fail("lumi_parse and lumi_parse_json differ", why, data, size);

  free(both);
  free(json);
  free(flat);
  return 0;
}
