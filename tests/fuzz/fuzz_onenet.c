/* libFuzzer harness for the OneNET codec: whatever the platform (or
 * something pretending to be it) sends as a data-point reply or a OneJSON
 * message must parse or be refused, never crash or leak; a parsed reply's
 * fields stay in their ranges. The input's first byte also picks a token
 * method and the rest serves as a key and a data-stream value, so the
 * builders see hostile text too. */
#include "proto/onenet.h"

#include "require.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data;
  onenet_reply_t r;
  for (int acc = 0; acc < 2; acc++) {
    int rc = onenet_dp_reply_parse(p, size, acc, &r);
    REQUIRE(rc == ONENET_OK || rc == ONENET_EJSON);
    if (rc == ONENET_OK) {
      REQUIRE(r.id >= -1 && r.id <= 2147483647L);
      REQUIRE(memchr(r.err_msg, '\0', sizeof r.err_msg));
      REQUIRE(!acc || (r.err_code == 0 && !*r.err_msg));
    }
  }
  onenet_thing_msg_t m;
  int rc = onenet_thing_parse(p, size, &m);
  REQUIRE(rc == ONENET_OK || rc == ONENET_EJSON);
  if (rc == ONENET_OK) {
    REQUIRE(memchr(m.id, '\0', sizeof m.id) && memchr(m.msg, '\0', sizeof m.msg));
    free(m.params);
  }

  /* The input as text: a key, a stream name, a string and a JSON value. */
  char *text = malloc(size + 1);
  REQUIRE(text);
  memcpy(text, data, size);
  text[size] = '\0';
  static const char *const methods[] = {"md5", "sha1", "sha256", "sha3"};
  char tok[ONENET_TOKEN_MAX];
  int n = onenet_token("products/1/devices/d", 1700000000,
                       methods[size ? data[0] % 4 : 0], text, tok, sizeof tok);
  REQUIRE(n == ONENET_EMETHOD || n == ONENET_EKEY || (n > 0 && (size_t)n < sizeof tok));
  char out[8192];
  onenet_point_t pts[] = {
      {.stream = text, .type = ONENET_V_NUMBER, .num = (double)size},
      {.stream = "s", .type = ONENET_V_STRING, .str = text},
      {.stream = "j", .type = ONENET_V_JSON, .str = text},
  };
  n = onenet_dp_build(1, pts, 3, out, sizeof out);
  REQUIRE(n < 0 || (size_t)n < sizeof out);
  n = onenet_thing_post_build(1, pts, 3, out, sizeof out);
  REQUIRE(n < 0 || (size_t)n < sizeof out);
  free(text);
  return 0;
}
