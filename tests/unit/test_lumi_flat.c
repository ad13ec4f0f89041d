/* The flat scanner in front of cJSON (src/proto/lumi_flat.c): realistic
 * datagrams take it and come out exactly as lumi_parse_json makes them;
 * everything unusual falls back, and lumi_parse still answers as the cJSON
 * path does. */
#include "check.h"
#include "lumi_equal.h"
#include "proto/lumi_parse_internal.h"

#include <stdlib.h>

static lumi_msg_t flat, json, both; /* 14 KiB each: kept off the stack */

typedef struct {
  const char *s;
  size_t n; /* 0: strlen(s) */
} input_t;

/* A literal whose length counts embedded and trailing NULs. */
#define BYTES(lit)                                                                       \
  { lit, sizeof lit - 1 }

static input_t str(const char *s) {
  return (input_t){s, strlen(s)};
}

/* Runs f on an exact-size copy, so that ASan sees any read past the end. */
static int run(int (*f)(const char *, size_t, lumi_msg_t *), input_t in,
               lumi_msg_t *msg) {
  size_t n = in.n ? in.n : strlen(in.s);
  char *copy = malloc(n ? n : 1);
  if (n) memcpy(copy, in.s, n);
  int rc = f(copy, n, msg);
  free(copy);
  return rc;
}

static void check_equal(const lumi_msg_t *a, const lumi_msg_t *b, const char *in) {
  char why[256];
  int eq = lumi_msg_equal(a, b, why, sizeof why);
  CHECK(eq);
  if (!eq) fprintf(stderr, "  %s\n  (in %s)\n", why, in);
}

/* The input takes the fast path and agrees with cJSON. */
static void fast(input_t in) {
  int before = check_failures;
  CHECK_INT(run(lumi_parse_flat, in, &flat), LUMI_OK);
  CHECK_INT(run(lumi_parse_json, in, &json), LUMI_OK);
  CHECK_INT(run(lumi_parse, in, &both), LUMI_OK);
  if (check_failures == before) {
    check_equal(&flat, &json, in.s);
    check_equal(&both, &json, in.s);
  }
  if (check_failures != before) fprintf(stderr, "  (fast: %s)\n", in.s);
}

/* The input falls back, and lumi_parse gives cJSON's answer. */
static void slow(input_t in) {
  int before = check_failures;
  CHECK_INT(run(lumi_parse_flat, in, &flat), LUMI_FLAT_FALLBACK);
  int rc = run(lumi_parse_json, in, &json);
  CHECK_INT(run(lumi_parse, in, &both), rc);
  if (rc == LUMI_OK) check_equal(&both, &json, in.s);
  if (check_failures != before) fprintf(stderr, "  (fallback: %s)\n", in.s);
}

static const char *const common[] = {
    "{\"cmd\":\"report\",\"model\":\"sensor_motion.aq2\",\"sid\":\"158d0001c2f110\","
    "\"short_id\":4343,\"data\":\"{\\\"status\\\":\\\"motion\\\",\\\"ts\\\":"
    "\\\"1763789000123456789\\\"}\"}",
    "{\"cmd\":\"heartbeat\",\"model\":\"gateway\",\"sid\":\"7811dcb7a982\",\"short_id\":"
    "\"0\",\"token\":\"1234567890abcdef\",\"data\":\"{\\\"ip\\\":\\\"127.0.0.2\\\"}\"}",
    "{\"cmd\":\"heartbeat\",\"model\":\"sensor_ht\",\"sid\":\"158d0001a2b3c4\","
    "\"short_id\":12,\"data\":\"{\\\"voltage\\\":3005,\\\"temperature\\\":\\\"2350\\\","
    "\\\"humidity\\\":\\\"4512\\\"}\"}",
    "{\"cmd\":\"read_ack\",\"model\":\"plug\",\"sid\":\"158d000123\",\"short_id\":2,"
    "\"data\":\"{\\\"voltage\\\":3600,\\\"status\\\":\\\"on\\\",\\\"inuse\\\":\\\"1\\\","
    "\\\"power_consumed\\\":\\\"39\\\",\\\"load_power\\\":\\\"0.00\\\"}\"}",
    "{\"cmd\":\"report\",\"model\":\"magnet\",\"sid\":\"158d000116f2bb\","
    "\"short_id\":9184,\"data\":\"{\\\"status\\\":\\\"open\\\"}\"}",
    "{\"cmd\":\"report\",\"model\":\"86sw2\",\"sid\":\"158d0001c2d3e6\",\"short_id\":"
    "1234,"
    "\"data\":\"{\\\"dual_channel\\\":\\\"both_click\\\"}\"}",
    "{\"cmd\":\"write_ack\",\"sid\":\"7811dcb25368\",\"data\":\"{\\\"error\\\":"
    "\\\"Invalid key\\\"}\"}",
    "{\"cmd\":\"server_ack\",\"data\":\"{\\\"error\\\":\\\"Invalid json msg\\\"}\"}",
    "{\"cmd\":\"iam\",\"port\":\"9898\",\"sid\":\"7811dcb7a982\",\"model\":\"gateway."
    "aq1\","
    "\"proto_version\":\"1.1.2\",\"ip\":\"192.168.0.42\"}",
    "{\"cmd\":\"iam\",\"port\":9898,\"sid\":\"7811dcb7a982\",\"model\":\"gateway\","
    "\"ip\":\"192.168.0.42\",\"protocal\":\"UDP\"}",
    "{\"cmd\":\"whois\"}",
    "{\"cmd\":\"get_id_list\"}",
    "{\"cmd\":\"read\",\"sid\":\"158d0001c2d3e4\"}",
    /* a gateway's read_ack: proto_version comes from the attribute */
    "{\"cmd\":\"read_ack\",\"model\":\"gateway\",\"sid\":\"7811dcb7a982\",\"short_id\":0,"
    "\"data\":\"{\\\"rgb\\\":0,\\\"illumination\\\":306,\\\"proto_version\\\":"
    "\\\"1.0.9\\\"}\"}",
    /* ... unless the top level has it */
    "{\"cmd\":\"read_ack\",\"proto_version\":\"2\",\"data\":\"{\\\"proto_version\\\":"
    "\\\"1.0.9\\\"}\"}",
    /* ... and only the first such attribute counts, string or not */
    "{\"cmd\":\"read_ack\",\"data\":\"{\\\"proto_version\\\":1,\\\"proto_version\\\":"
    "\\\"1.0.9\\\"}\"}",
    "{\"cmd\":\"write\",\"model\":\"gateway\",\"sid\":\"7811dcb7a982\",\"short_id\":0,"
    "\"data\":\"{\\\"rgb\\\":4294967295,\\\"key\\\":"
    "\\\"b0fc52dfcd302e70c40a532534c6ca36\\\"}\"}",
    /* whitespace everywhere it may be, keys and the model trimmed */
    " {\t\"cmd\" : \"report\" ,\r\n \"model\" : \"  magnet \", "
    "\"sid\":\"158d000116f2bb\","
    " \"short_id\" : 9184 , \"data\" : \"  { \\\" status \\\" : \\\"open\\\" ,"
    "\\\"x\\\" :1 }  \" } \r\n",
    /* unknown fields, of either simple type */
    "{\"cmd\":\"report\",\"model\":\"plug\",\"sid\":\"158d000123\",\"short_id\":1,"
    "\"rssi\":-60,\"unknown\":\"x\",\"data\":\"{\\\"status\\\":\\\"on\\\"}\","
    "\"protocal\":\"UDP\"}",
    /* bools, null, negative numbers, -0 and the longest integers */
    "{\"cmd\":\"report\",\"sid\":\"s\",\"data\":\"{\\\"a\\\":true,\\\"b\\\":false,"
    "\\\"c\\\":null,\\\"d\\\":-12,\\\"e\\\":-0,\\\"f\\\":0,\\\"g\\\":999999999999999,"
    "\\\"h\\\":-999999999999999}\"}",
    /* duplicates: later members overwrite, a second data appends */
    "{\"cmd\":\"read\",\"cmd\":\"report\",\"sid\":\"a\",\"sid\":\"b\",\"short_id\":1,"
    "\"short_id\":\"2\",\"data\":\"{\\\"x\\\":1,\\\"x\\\":2}\",\"data\":"
    "\"{\\\"y\\\":\\\"2\\\",\\\"key\\\":\\\"k\\\"}\",\"key\":\"k2\"}",
    "{\"cmd\":\"report\",\"sid\":\"a\",\"data\":\"{}\"}",
    "{\"cmd\":\"report\",\"sid\":\"a\",\"data\":\" { } \"}",
    "{\"cmd\":\"hello\",\"sid\":\"a\"}",
    "{\"cmd\":\"\",\"sid\":\"\",\"model\":\"\",\"token\":\"\"}",
    "{\"cmd\":\"report\",\"model\":\"caf\xc3\xa9\",\"sid\":\"a\",\"data\":"
    "\"{\\\"t\xc3\xa9xt\\\":\\\"\xe2\x82\xac\\\"}\"}",
    "{\"cmd\":\"read\",\"sid\":\"0123456789abcdef0123456789abcdef\"}",
    "{\"cmd\":\"read\",\"model\":\"  0123456789012345678901234567890123456789"
    "01234567 \"}",
    "{\"cmd\":\"iam\",\"port\":\"0009898\",\"short_id\":\"2147483647\"}",
    "{\"cmd\":\"iam\",\"port\":65535,\"short_id\":-0}",
    "{\"data\":\"{\\\"status\\\":\\\"open\\\"}\",\"cmd\":\"report\"}",
};

static const char *const unusual[] = {
    /* v2 forms */
    "{\"cmd\":\"report\",\"model\":\"sensor_cube.aqgl01\",\"sid\":\"158d0001c2d3e5\","
    "\"params\":[{\"cube_status\":\"rotate\"},{\"rotate_degree\":-30}]}",
    "{\"cmd\":\"discovery_rsp\",\"sid\":\"34ce00fb7438\",\"token\":\"TahkC7dalbIhXG22\","
    "\"dev_list\":[{\"sid\":\"158d0000f1a750\",\"model\":\"plug\"}]}",
    /* data forms the scanner leaves alone */
    "{\"cmd\":\"get_id_list_ack\",\"sid\":\"34ce00fb7438\",\"token\":"
    "\"KN9xNoVJEGttge54\","
    "\"data\":\"[\\\"158d0001b1aaa0\\\",\\\"158d000065a271\\\"]\"}",
    "{\"data\": {\"key\": \"b0fc52dfcd302e70c40a532534c6ca36\", \"rgb\": 0}, "
    "\"cmd\": \"write\", \"sid\": \"34ce00fb7438\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":\\\"x\\\\ny\\\"}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":\\\"caf\\\\u00e9\\\"}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":\\\"x\\/y\\\"}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":{\\\"b\\\":1}}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":[1,2]}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"load_power\\\":0.5}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"v\\\":1e3}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"v\\\":012}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"v\\\":1234567890123456}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"error\\\":5}\"}",
    "{\"cmd\":\"write\",\"data\":\"{\\\"key\\\":5}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":\\\"b\\\"} x\"}",
    "{\"cmd\":\"report\",\"data\":\"\"}",
    "{\"cmd\":\"report\",\"data\":\"not json\"}",
    "{\"cmd\":\"report\",\"data\":5}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":\\\"b\\\",}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\"\\t:1}\"}",
    "{\"cmd\":\"report\",\"data\":\"{\\\"a\\\":\\\"tab\there\\\"}\"}",
    /* top-level values other than strings and integers */
    "{\"cmd\":\"report\",\"short_id\":1.5}",
    "{\"cmd\":\"report\",\"online\":true}",
    "{\"cmd\":\"report\",\"extra\":{\"a\":1}}",
    "{\"cmd\":\"report\",\"sid\":\"\\u0031\"}",
    "{\"cmd\":7}",
    "{\"cmd\":\"report\",\"sid\":158}",
    "{\"cmd\":\"report\",\"short_id\":-1}",
    "{\"cmd\":\"report\",\"short_id\":\"99999999999\"}",
    "{\"cmd\":\"report\",\"short_id\":\"12a\"}",
    "{\"cmd\":\"report\",\"short_id\":\"\"}",
    "{\"cmd\":\"iam\",\"port\":70000}",
    /* limits */
    "{\"cmd\":\"read\",\"sid\":\"0123456789abcdef0123456789abcdef0\"}",
    "{\"cmd\":\"read\",\"model\":\"01234567890123456789012345678901234567890"
    "12345678\"}",
    /* not one object */
    "{\"sid\":\"158d000116f2bb\",\"data\":\"{}\"}",
    "{}",
    "",
    " \r\n",
    "hello",
    "[{\"cmd\":\"report\"}]",
    "{\"cmd\":\"report\"}}",
    "{\"cmd\":\"report\",}",
    "{\"cmd\":\"report\"} {",
    "\xef\xbb\xbf{\"cmd\":\"report\"}",
    "\f{\"cmd\":\"report\"}",
    "{\"cmd\":\"report\",\"model\":\"magnet\",\"sid\":\"158d000116f2bb\",\"short_id\":9",
    "{\"cmd\":\"report\",\"data\":\"{\\\"status\\\":\\\"op",
};

/* Inputs with NUL bytes: a C sender's terminator is fine, others are not. */
static const input_t common_bytes[] = {
    BYTES("{\"cmd\":\"report\",\"sid\":\"158d000116f2bb\",\"data\":\"{\\\"status\\\":"
          "\\\"close\\\"}\"}\0"),
    BYTES("{\"cmd\":\"whois\"}\0\0\0"),
};

static const input_t unusual_bytes[] = {
    BYTES("{\"cmd\":\"re\0port\"}"),
    BYTES("\0{\"cmd\":\"report\"}"),
    BYTES("{\"cmd\":\"report\",\0\"sid\":\"1\"}"),
};

/* A datagram with `count` attributes a0, a1, … in data, then an error. */
static char *many_attrs(int count) {
  size_t cap = (size_t)count * 32 + 256, n = 0;
  char *s = malloc(cap);
  n += (size_t)snprintf(s, cap, "{\"cmd\":\"report\",\"data\":\"{");
  for (int i = 0; i < count; i++)
    n += (size_t)snprintf(s + n, cap - n, "\\\"a%d\\\":\\\"%d\\\",", i, i);
  snprintf(s + n, cap - n, "\\\"error\\\":\\\"late\\\"}\"}");
  return s;
}

/* Past LUMI_MAX_ATTRS attributes are counted, and an error after them
 * still reaches msg->error. */
static void test_many(void) {
  char *s = many_attrs(200);
  fast(str(s));
  CHECK_INT(flat.nattrs, LUMI_MAX_ATTRS);
  CHECK_INT(flat.dropped_attrs, 200 - LUMI_MAX_ATTRS);
  CHECK_STR(flat.attrs[LUMI_MAX_ATTRS - 1].key, "a47");
  CHECK_STR(flat.error, "late");
  free(s);
  s = many_attrs(2000); /* 40 KB: longer than msg->text */
  slow(str(s));
  free(s);
}

/* Datagrams up to the size of msg->text are scanned (they cannot run out
 * of text space); longer ones fall back, whether cJSON then takes them or
 * runs out of space. */
static void test_sizes(void) {
  const size_t cap = sizeof flat.text;
  char *s = malloc(LUMI_MAX_DATAGRAM + 64);
  int n = snprintf(s, 64, "{\"cmd\":\"report\",\"token\":\"");
  size_t token = cap - (size_t)n - 2; /* the datagram fills cap exactly */
  memset(s + n, 't', token);
  memcpy(s + n + token, "\"}", 2);
  fast((input_t){s, cap});
  memset(s + n, 't', token + 1);
  memcpy(s + n + token + 1, "\"}", 2);
  slow((input_t){s, cap + 1});
  CHECK_INT(run(lumi_parse, (input_t){s, cap + 1}, &both), LUMI_OK);
  s[cap - 2] = '"'; /* the same datagram, its last byte a NUL: still too long */
  s[cap - 1] = '}';
  s[cap] = '\0';
  slow((input_t){s, cap + 1});
  memset(s + n, 't', cap);
  memcpy(s + n + cap, "\"}", 2);
  slow((input_t){s, (size_t)n + cap + 2});
  CHECK_INT(run(lumi_parse, (input_t){s, (size_t)n + cap + 2}, &both), LUMI_ETOOBIG);

  const char *small = "{\"cmd\":\"whois\"}";
  size_t pad = cap - strlen(small);
  memset(s, ' ', pad);
  memcpy(s + pad, small, strlen(small));
  fast((input_t){s, cap});
  pad = LUMI_MAX_DATAGRAM - strlen(small);
  memset(s, ' ', pad);
  memcpy(s + pad, small, strlen(small));
  slow((input_t){s, LUMI_MAX_DATAGRAM});
  s[LUMI_MAX_DATAGRAM] = '\0';
  slow((input_t){s, LUMI_MAX_DATAGRAM + 1}); /* too long even with a terminator */
  free(s);
}

/* A few fields by value, so that agreeing with cJSON is not the only check. */
static void test_values(void) {
  fast(str(common[0]));
  CHECK_INT(flat.cmd, LUMI_CMD_REPORT);
  CHECK_INT(flat.proto, 1);
  CHECK_INT(flat.short_id, 4343);
  CHECK_INT(flat.nattrs, 2);
  CHECK_STR(flat.attrs[1].key, "ts");
  CHECK_STR(flat.attrs[1].str, "1763789000123456789");

  fast(str(common[13]));
  CHECK_STR(flat.proto_version, "1.0.9");
  fast(str(common[8]));
  CHECK_INT(flat.proto, 0);
  CHECK_INT(flat.port, 9898);
  CHECK_STR(flat.proto_version, "1.1.2");

  fast(str(common[19]));
  CHECK_INT(flat.nattrs, 8);
  CHECK_INT(flat.attrs[0].type, LUMI_VAL_BOOL);
  CHECK(flat.attrs[0].num == 1);
  CHECK_INT(flat.attrs[2].type, LUMI_VAL_NULL);
  CHECK(flat.attrs[3].num == -12);
  CHECK(flat.attrs[4].num == 0 && 1 / flat.attrs[4].num < 0); /* -0.0 */
  CHECK(flat.attrs[7].num == -999999999999999.0);

  fast(str(common[17]));
  CHECK_STR(flat.model, "magnet");
  CHECK_STR(flat.attrs[0].key, "status");
}

int main(void) {
  for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) fast(str(common[i]));
  for (size_t i = 0; i < sizeof unusual / sizeof unusual[0]; i++) slow(str(unusual[i]));
  for (size_t i = 0; i < sizeof common_bytes / sizeof common_bytes[0]; i++)
    fast(common_bytes[i]);
  for (size_t i = 0; i < sizeof unusual_bytes / sizeof unusual_bytes[0]; i++)
    slow(unusual_bytes[i]);
  test_values();
  test_many();
  test_sizes();
  return check_done("lumi_flat");
}
