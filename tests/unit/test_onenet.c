/* OneNET codec: tokens (PROTOCOLS.md §5.4, every method and the
 * product-level res), names, topics, data-point and OneJSON payloads, and
 * the platform's replies, well-formed and not. */
#include "check.h"
#include "proto/onenet.h"

#include <stdlib.h>
#include <string.h>

#define KEY "MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY="

static void test_token(void) {
  static const struct {
    const char *method, *token;
  } cases[] = {
      {"md5", "version=2018-10-31&res=products%2F123123%2Fdevices%2Fmydev&et=1537255523&"
              "method=md5&sign=V%2FF5UaO6tqz0q9Q7Z4DgYA%3D%3D"},
      {"sha1", "version=2018-10-31&res=products%2F123123%2Fdevices%2Fmydev&et=1537255523&"
               "method=sha1&sign=yRBKvsWcSbU6gDWvFQPEWDNaPu4%3D"},
      {"sha256",
       "version=2018-10-31&res=products%2F123123%2Fdevices%2Fmydev&et="
       "1537255523&method=sha256&sign=kWmFRZgTZ4W%2BU4YC5UCbaqbHJ0bRDTqPJRowM8x8"
       "lsE%3D"},
  };
  char res[128], tok[ONENET_TOKEN_MAX];
  CHECK_INT(onenet_res("123123", "mydev", res, sizeof res),
            (int)strlen("products/123123/devices/mydev"));
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK(onenet_token(res, 1537255523, cases[i].method, KEY, tok, sizeof tok) > 0);
    CHECK_STR(tok, cases[i].token);
  }
  CHECK(onenet_res("123123", NULL, res, sizeof res) > 0);
  CHECK_STR(res, "products/123123");
  CHECK(onenet_token(res, 1537255523, "sha1", KEY, tok, sizeof tok) > 0);
  CHECK_STR(tok, "version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&"
                 "sign=0%2BjpZeJubcPz4dll0sTqcwPohEU%3D");

  /* Errors say what is wrong, and nothing is written past the buffer. */
  CHECK_INT(onenet_token(res, 1, "sha512", KEY, tok, sizeof tok), ONENET_EMETHOD);
  CHECK_INT(onenet_token(res, 1, NULL, KEY, tok, sizeof tok), ONENET_EMETHOD);
  CHECK_INT(onenet_token(res, 1, "sha1", "not base64!", tok, sizeof tok), ONENET_EKEY);
  CHECK_INT(onenet_token(res, 1, "sha1", "", tok, sizeof tok), ONENET_EKEY);
  CHECK_INT(onenet_token(res, 1, "sha1", KEY, tok, 20), ONENET_ESPACE);
  CHECK(*onenet_strerror(ONENET_EKEY));
  CHECK_INT(onenet_res("", "d", res, sizeof res), ONENET_ENAME);
  CHECK_INT(onenet_res("p", "a/b", res, sizeof res), ONENET_ENAME);
  CHECK_INT(onenet_res("p", "a+", res, sizeof res), ONENET_ENAME);
  CHECK_INT(onenet_res("p", "d", res, 5), ONENET_ESPACE);
}

static void test_topics(void) {
  char t[128];
  CHECK(onenet_topic("123", "dev", "dp/post/json", t, sizeof t) > 0);
  CHECK_STR(t, "$sys/123/dev/dp/post/json");
  CHECK_INT(onenet_topic("123", "dev", "dp/post/json", t, 8), ONENET_ESPACE);
  CHECK_STR(onenet_topic_rest("$sys/123/dev/cmd/request/abc", "123", "dev"),
            "cmd/request/abc");
  CHECK(onenet_topic_rest("$sys/123/devx/cmd", "123", "dev") == NULL);
  CHECK(onenet_topic_rest("$sys/1234/dev/cmd", "123", "dev") == NULL);
  CHECK(onenet_topic_rest("sys/123/dev/cmd", "123", "dev") == NULL);
  CHECK(onenet_topic_rest("$sys/123/dev", "123", "dev") == NULL);
}

static void test_dp(void) {
  char out[512];
  onenet_point_t pts[] = {
      {.stream = "temperature", .type = ONENET_V_NUMBER, .num = 30},
      {.stream = "power", .type = ONENET_V_NUMBER, .num = 4.5, .time = 1552289676},
      {.stream = "status",
       .type = ONENET_V_JSON,
       .str = "{\"color\":\"blue\"}",
       .time = 1552289677},
      {.stream = "status",
       .type = ONENET_V_JSON,
       .str = "{\"color\":\"red\"}",
       .time = 1552289678},
      {.stream = "note", .type = ONENET_V_STRING, .str = "say \"hi\""},
  };
  CHECK(onenet_dp_build(123, pts, 5, out, sizeof out) > 0);
  CHECK_STR(out, "{\"id\":123,\"dp\":{\"temperature\":[{\"v\":30}],\"power\":[{\"v\":4.5,"
                 "\"t\":1552289676}],\"status\":[{\"v\":{\"color\":\"blue\"},\"t\":"
                 "1552289677},{\"v\":{\"color\":\"red\"},\"t\":1552289678}],\"note\":[{"
                 "\"v\":\"say \\\"hi\\\"\"}]}}");
  CHECK_INT(onenet_dp_build(0, pts, 1, out, sizeof out), ONENET_EID);
  CHECK_INT(onenet_dp_build(2147483648L, pts, 1, out, sizeof out), ONENET_EID);
  CHECK_INT(onenet_dp_build(1, pts, 5, out, 40), ONENET_ESPACE);
  onenet_point_t bad[] = {{.stream = "x", .type = ONENET_V_JSON, .str = "[1,2]"}};
  CHECK_INT(onenet_dp_build(1, bad, 1, out, sizeof out), ONENET_EJSON);
  onenet_point_t noname[] = {{.stream = "", .type = ONENET_V_NUMBER, .num = 1}};
  CHECK_INT(onenet_dp_build(1, noname, 1, out, sizeof out), ONENET_ENAME);
  onenet_point_t nan[] = {{.stream = "x", .type = ONENET_V_NUMBER, .num = 0.0 / 0.0}};
  CHECK_INT(onenet_dp_build(1, nan, 1, out, sizeof out), ONENET_EJSON);
}

static void test_replies(void) {
  onenet_reply_t r;
  const char *ok = "{\"id\":123}";
  CHECK_INT(onenet_dp_reply_parse(ok, strlen(ok), 1, &r), ONENET_OK);
  CHECK(r.id == 123 && r.accepted && r.err_code == 0 && !*r.err_msg);
  const char *rej = "{\"id\":7,\"err_code\":98,\"err_msg\":\"Illegal Data\"}";
  CHECK_INT(onenet_dp_reply_parse(rej, strlen(rej), 0, &r), ONENET_OK);
  CHECK(r.id == 7 && !r.accepted && r.err_code == 98);
  CHECK_STR(r.err_msg, "Illegal Data");
  const char *noid = "{\"id\":-1,\"err_code\":1e300,\"err_msg\":5}";
  CHECK_INT(onenet_dp_reply_parse(noid, strlen(noid), 0, &r), ONENET_OK);
  CHECK(r.id == -1 && r.err_code == -1 && !*r.err_msg);
  const char *bad[] = {"", "[1]", "{\"id\":", "nope", "{\"id\":1.5}"};
  for (size_t i = 0; i < 4; i++)
    CHECK_INT(onenet_dp_reply_parse(bad[i], strlen(bad[i]), 1, &r), ONENET_EJSON);
  CHECK_INT(onenet_dp_reply_parse(bad[4], strlen(bad[4]), 1, &r), ONENET_OK);
  CHECK(r.id == -1);
  /* Not NUL-terminated: only len bytes are read. */
  char cut[] = {'{', '"', 'i', 'd', '"', ':', '4', '}', 'x'};
  CHECK_INT(onenet_dp_reply_parse(cut, 8, 1, &r), ONENET_OK);
  CHECK(r.id == 4);
}

static void test_thing(void) {
  char out[256];
  onenet_point_t pts[] = {
      {.stream = "temp", .type = ONENET_V_NUMBER, .num = 23.6, .time = 1599534283},
      {.stream = "on", .type = ONENET_V_STRING, .str = "yes"},
  };
  CHECK(onenet_thing_post_build(123, pts, 2, out, sizeof out) > 0);
  CHECK_STR(out,
            "{\"id\":\"123\",\"version\":\"1.0\",\"params\":{\"temp\":{\"value\":23.6,"
            "\"time\":1599534283000},\"on\":{\"value\":\"yes\"}}}");
  onenet_point_t dup[] = {pts[0], pts[0]};
  CHECK_INT(onenet_thing_post_build(1, dup, 2, out, sizeof out), ONENET_EDUP);

  onenet_thing_msg_t m;
  const char *reply = "{\"id\":\"123\",\"code\":200,\"msg\":\"success\"}";
  CHECK_INT(onenet_thing_parse(reply, strlen(reply), &m), ONENET_OK);
  CHECK_STR(m.id, "123");
  CHECK_INT(m.code, 200);
  CHECK_STR(m.msg, "success");
  CHECK(m.params == NULL);
  const char *set = "{\"id\":\"9\",\"version\":\"1.0\",\"params\":{\"power\":true}}";
  CHECK_INT(onenet_thing_parse(set, strlen(set), &m), ONENET_OK);
  CHECK_STR(m.id, "9");
  CHECK_STR(m.params, "{\"power\":true}");
  free(m.params);
  CHECK_INT(onenet_thing_parse("[]", 2, &m), ONENET_EJSON);
}

int main(void) {
  test_token();
  test_topics();
  test_dp();
  test_replies();
  test_thing();
  return check_done("onenet");
}
