/* The Xiaomi/Aqara (Lumi) gateway LAN protocol, v1 and v2: datagrams in,
 * one message shape out, and the same shape back to datagrams. Pure: no
 * sockets, no globals, no allocation that outlives a call.
 *
 * Facts: shared/PROTOCOLS.md §1. v1 messages carry attributes in `data`, a
 * JSON object encoded as a *string*; v2 messages carry them in `params`, an
 * array of one-key objects. Both parse into lumi_msg_t.attrs, in the order
 * sent. lumi_normalize() then maps them to one vocabulary (v1 names,
 * numbers in SI-ish units) and lumi_kind_of() maps every model name of old
 * and new firmware to one device kind. */
#ifndef LUMO_PROTO_LUMI_H
#define LUMO_PROTO_LUMI_H

#include <stddef.h>
#include <stdint.h>

#define LUMI_MULTICAST_ADDR "224.0.0.50"
#define LUMI_DISCOVERY_PORT 4321 /* whois -> iam */
#define LUMI_PORT 9898           /* reports, heartbeats, commands */
#define LUMI_MAX_DATAGRAM 65536

#define LUMI_MAX_ATTRS 48    /* attributes kept per message; more are counted, dropped */
#define LUMI_MAX_DEPTH 16    /* deepest nested attribute value kept; deeper are dropped */
#define LUMI_MAX_DEVICES 256 /* sids kept from a device list */
#define LUMI_SID_MAX 32      /* longest sid kept (real ones: 12 or 14 hex chars) */
#define LUMI_MODEL_MAX 48
#define LUMI_TOKEN_LEN 16
#define LUMI_KEY_HEX_LEN 32

typedef enum {
  LUMI_CMD_UNKNOWN = 0, /* any other "cmd" value: kept in cmd_name */
  LUMI_CMD_WHOIS,
  LUMI_CMD_IAM,
  LUMI_CMD_GET_ID_LIST,     /* v1 */
  LUMI_CMD_GET_ID_LIST_ACK, /* v1 */
  LUMI_CMD_DISCOVERY,       /* v2 */
  LUMI_CMD_DISCOVERY_RSP,   /* v2 */
  LUMI_CMD_READ,
  LUMI_CMD_READ_ACK, /* v1 read_ack and v2 read_rsp */
  LUMI_CMD_WRITE,
  LUMI_CMD_WRITE_ACK, /* v1 write_ack and v2 write_rsp */
  LUMI_CMD_REPORT,
  LUMI_CMD_HEARTBEAT,
  LUMI_CMD_SERVER_ACK, /* the gateway's generic (error) reply */
} lumi_cmd_t;

typedef enum {
  LUMI_VAL_STRING,
  LUMI_VAL_NUMBER,
  LUMI_VAL_BOOL,
  LUMI_VAL_NULL,
  LUMI_VAL_JSON, /* a nested object or array, kept as compact JSON text in str */
} lumi_val_type_t;

/* One attribute. key and str point into the owning message's text buffer. */
typedef struct {
  const char *key;
  lumi_val_type_t type;
  const char *str; /* LUMI_VAL_STRING and LUMI_VAL_JSON */
  double num;      /* LUMI_VAL_NUMBER; LUMI_VAL_BOOL as 0/1 */
  /* lumi_attr_id_t (proto/lumi_vocab.h) once lumi_normalize has run, which
   * also points known keys and word values at static strings; undefined
   * before. */
  int id;
  unsigned char str_static; /* str is a vocabulary word (set with id) */
} lumi_attr_t;

/* One sub-device of a device list (get_id_list_ack: sid only; discovery_rsp:
 * sid and model). */
typedef struct {
  const char *sid;
  const char *model; /* "" when the list does not say */
} lumi_dev_entry_t;

/* A parsed or to-be-built message. Every pointer points into `text` (or, for
 * building, anywhere the caller likes). Fields a message lacks are "" / -1. */
typedef struct {
  lumi_cmd_t cmd;
  const char *cmd_name; /* the "cmd" string as sent */
  int proto;            /* 1: data-string form, 2: params form, 0: neither */
  const char *sid;
  const char *model;
  long short_id; /* -1 when absent; accepted as number or numeric string */
  const char *token;
  const char *ip;            /* iam */
  int port;                  /* iam: "port" (a string on the wire); -1 when absent */
  const char *proto_version; /* iam/read of a gateway, when present */
  const char *key;           /* write: v2 top-level "key", or v1 "key" inside data */
  const char *error;         /* "error" found in data or in a params element */
  lumi_attr_t attrs[LUMI_MAX_ATTRS];
  int nattrs;
  int dropped_attrs; /* attributes beyond LUMI_MAX_ATTRS */
  lumi_dev_entry_t devices[LUMI_MAX_DEVICES];
  int ndevices;
  int dropped_devices;
  char text[8192]; /* strings of a parsed message live here */
} lumi_msg_t;

/* Parse status codes. */
enum {
  LUMI_OK = 0,
  LUMI_ETRUNCATED = -1, /* not a complete JSON value (cut datagram) */
  LUMI_EJSON = -2,      /* not JSON, or not a JSON object */
  LUMI_ENOCMD = -3,     /* no "cmd" member */
  LUMI_ETYPE = -4,      /* a known field has the wrong type (e.g. sid or cmd a number) */
  LUMI_EDATA = -5,      /* "data" is a string but not JSON of an object or array */
  LUMI_ETOOBIG = -6,    /* datagram or its strings exceed the limits */
  LUMI_ESPACE = -7,     /* build: output buffer too small */
};

/* Parses one datagram. On success fills *msg (strings copied into
 * msg->text, so `buf` may be reused at once) and returns LUMI_OK; on failure
 * returns a negative LUMI_E* and msg is unspecified. Never reads past
 * buf[len-1]; buf need not be NUL-terminated. Unknown keys at the top level
 * are ignored except as listed above; unknown attributes inside data/params
 * are kept as they are. Details:
 * - len > LUMI_MAX_DATAGRAM, a sid longer than LUMI_SID_MAX, a model longer
 *   than LUMI_MODEL_MAX, or strings that overflow msg->text: LUMI_ETOOBIG.
 * - Empty or all-whitespace input, or a cut-off object: LUMI_ETRUNCATED.
 *   Anything else that is not one JSON object (arrays, trailing garbage, a
 *   NUL byte other than trailing ones): LUMI_EJSON.
 * - cmd, sid, model, token, ip, proto_version, key: strings, else
 *   LUMI_ETYPE; short_id and port: a whole number or a decimal string, else
 *   LUMI_ETYPE. Model names and attribute keys are trimmed of spaces.
 * - data: a string holding an object or array (else LUMI_EDATA), or an
 *   object or array itself (else LUMI_ETYPE). An array is a list of sids
 *   (get_id_list_ack) going to devices; non-string elements are skipped.
 * - params: an array of objects (other elements skipped; an element may
 *   hold several keys) or a bare object; else LUMI_ETYPE.
 * - dev_list: an array of {"sid","model"} objects (elements without a
 *   string sid skipped); else LUMI_ETYPE.
 * - "error" and "key" inside data or a params element go to msg->error and
 *   msg->key, never to attrs; a non-string error is kept as its JSON text.
 * - proto: 2 if params or dev_list was present, else 1 if data was, else 0.
 * - proto_version: the top-level member, else a string attribute of that
 *   name (a gateway's read_ack), which stays an attribute too.
 * - Attribute values nested deeper than LUMI_MAX_DEPTH objects/arrays are
 *   counted in dropped_attrs, like those past LUMI_MAX_ATTRS.
 * - Device-list entries with an overlong sid or model, like those past
 *   LUMI_MAX_DEVICES, are counted in dropped_devices.
 * The common flat shape (plain strings and integers, a `data` string of one
 * flat object) takes a one-pass scanner; anything else goes through cJSON.
 * Both give the same result (fuzzed: tests/fuzz/fuzz_lumi_flat.c). */
int lumi_parse(const char *buf, size_t len, lumi_msg_t *msg);

/* The command's name on the wire in proto 1 or 2 ("read_ack"/"read_rsp");
 * "" for LUMI_CMD_UNKNOWN. */
const char *lumi_cmd_name(lumi_cmd_t cmd, int proto);

/* Clears *msg to an empty message of the given command (fields "" / -1,
 * cmd_name its proto 1 name). */
void lumi_msg_init(lumi_msg_t *msg, lumi_cmd_t cmd);

/* Writes msg as one JSON datagram in proto 1 or 2 form (msg->proto; 0 is
 * taken as 1): cmd (from cmd, or cmd_name for LUMI_CMD_UNKNOWN; v2 names
 * read_rsp/write_rsp for READ_ACK/WRITE_ACK), then sid, model, short_id,
 * token, ip, port (as a string), proto_version when set; attrs as a `data`
 * string (v1) or `params` array (v2); key inside data (v1) or top level
 * (v2); error as {"error": ...} in data (v1) or a params element (v2);
 * devices as a `data` string array (get_id_list_ack) or a `dev_list` array
 * of {sid, model} (discovery_rsp). Precisely: devices go to `data` only in
 * proto 1, for a cmd other than DISCOVERY_RSP, when data carries nothing
 * else (no attrs, key or error); otherwise to `dev_list`. Empty or NULL
 * strings and negative short_id/port are left out; proto_version is left
 * out when a string attribute already carries the same value; an iam in
 * proto 2 gets "protocal":"UDP" as real v2 gateways send. NUL-terminates;
 * returns the length or LUMI_ESPACE. */
int lumi_build(const lumi_msg_t *msg, char *out, size_t cap);

/* The write key: lower-case hex of AES-128-CBC(key = password, IV = the
 * protocol's fixed IV, plaintext = token), no padding. password and token
 * must be 16 bytes each, else -1. out gets 32 hex chars and a NUL. */
int lumi_compute_key(const char *password, const char *token,
                     char out[LUMI_KEY_HEX_LEN + 1]);

/* ---- normalisation ---- */

typedef enum {
  LUMI_KIND_UNKNOWN = 0,
  LUMI_KIND_GATEWAY,   /* gateway, gateway.v3, gateway.aq1, acpartner.v3 */
  LUMI_KIND_MAGNET,    /* magnet, sensor_magnet, sensor_magnet.aq2 */
  LUMI_KIND_MOTION,    /* motion, sensor_motion, sensor_motion.aq2 */
  LUMI_KIND_SWITCH,    /* switch, sensor_switch(.aq2/.aq3), remote.b1acn01: a button */
  LUMI_KIND_86SW1,     /* 86sw1, sensor_86sw1(.aq1), remote.b186acn01/02 */
  LUMI_KIND_86SW2,     /* 86sw2, sensor_86sw2(.aq1), remote.b286acn01/02 */
  LUMI_KIND_HT,        /* sensor_ht, weather.v1, weather */
  LUMI_KIND_CUBE,      /* cube, sensor_cube(.aqgl01) */
  LUMI_KIND_SMOKE,     /* smoke, sensor_smoke */
  LUMI_KIND_NATGAS,    /* natgas, sensor_natgas */
  LUMI_KIND_LEAK,      /* sensor_wleak.aq1 */
  LUMI_KIND_VIBRATION, /* vibration, vibration.aq1 */
  LUMI_KIND_PLUG,      /* plug, 86plug, ctrl_86plug(.aq1) */
  /* one-gang wall switch: ctrl_neutral1(.aq1), ctrl_ln1(.aq1),
   * switch(_|.)b1lacn02, switch(_|.)b1nacn02 */
  LUMI_KIND_CTRL1,
  /* two-gang: ctrl_neutral2(.aq1), ctrl_ln2(.aq1), switch(_|.)b2lacn02,
   * switch(_|.)b2nacn02 */
  LUMI_KIND_CTRL2,
  LUMI_KIND_CURTAIN, /* curtain, curtain.aq2, curtain.hagl04 */
  LUMI_KIND_LOCK,    /* lock.aq1, lock.acn02 */
  LUMI_KIND_COUNT
} lumi_kind_t;

/* The kind of a model name (leading/trailing spaces ignored, "lumi." prefix
 * ignored); LUMI_KIND_UNKNOWN for names not listed. */
lumi_kind_t lumi_kind_of(const char *model);
/* "gateway", "magnet", "motion", "switch", "86sw1", "86sw2", "sensor_ht",
 * "cube", "smoke", "natgas", "leak", "vibration", "plug", "ctrl_neutral1",
 * "ctrl_neutral2", "curtain", "lock", "unknown". */
const char *lumi_kind_name(lumi_kind_t kind);
/* Whether a device of this kind runs on a battery (heartbeat ~60 min) or on
 * mains (~10 min; gateways 10 s). 0 for LUMI_KIND_UNKNOWN. */
int lumi_kind_is_battery(lumi_kind_t kind);

/* Rewrites msg->attrs in place to the normalised vocabulary, for a device of
 * `kind` (every kind: ids and static strings as in lumi_attr_t; then for a
 * known kind):
 * - v2 names become v1 names: window_status, motion_status, wleak_status,
 *   cube_status -> status; button_0 -> status (switch) or channel_0 (86sw);
 *   button_1 -> channel_1; battery_voltage -> voltage; plug channel_0 ->
 *   status; energy_consumed -> power_consumed; smoke_status/natgas_status
 *   normal/alarm -> alarm 0/1; wleak normal -> no_leak.
 * - temperature and humidity (hundredths, string or number) -> numbers in
 *   °C and %; pressure (Pa) -> number in kPa; voltage, load_voltage,
 *   illumination, lux, rgb, no_motion, no_close, short numbers, load_power,
 *   power_consumed, curtain_level, alarm, density, inuse, rotate_degree,
 *   detect_time given as numeric strings (-?digits[.digits]) -> numbers.
 *   The invalid markers of v2 (raw temperature 10000, humidity 0, pressure
 *   0) are dropped, in either form.
 * - anything else is left exactly as it was; for LUMI_KIND_UNKNOWN the
 *   whole message is (but for ids and static strings). Renames are per kind (button_0 of
 * a magnet stays). Dropped attributes shift the later ones down. Converted numbers have
 * no string to point to; str becomes NULL. Call it once per parsed message: v2
 * temperatures are numbers in hundredths, so a second call would divide them again. */
void lumi_normalize(lumi_msg_t *msg, lumi_kind_t kind);

/* The event names a normalised report means for a device of `kind`, in
 * order, e.g. magnet status "open"|"close" -> that word, no_close ->
 * "no_close"; motion status "motion" ->
 * "motion"; no_motion -> "no_motion"; switch status click|double_click|
 * long_click_press|long_click_release|... -> that word; 86sw channel_N
 * click... -> that word; plug status / ctrl channel_N on|off -> "on"|"off";
 * leak status leak|no_leak -> "leak"|"no_leak"; smoke/natgas alarm 1|2 ->
 * "alarm", 0 -> "alarm_clear"; cube/vibration status -> that word (cube
 * v1 `rotate` -> "rotate"; 86sw dual_channel -> that word, channel -1).
 * Values outside these lists give no event. Each
 * entry names the attribute index it came from (so a binding can add
 * data.channel / data.seconds). Returns how many were written (at most
 * max). Heartbeats and read replies mean no events: call this for reports,
 * after lumi_normalize. */
typedef struct {
  const char *name; /* static string */
  int attr;         /* index into msg->attrs */
  int channel;      /* 0/1 for channel_N attributes, -1 otherwise */
} lumi_event_t;
int lumi_events(const lumi_msg_t *msg, lumi_kind_t kind, lumi_event_t *out, int max);

/* Looks an attribute up by key; NULL when absent. */
const lumi_attr_t *lumi_attr_find(const lumi_msg_t *msg, const char *key);

/* A short description of a parse status for logs ("truncated JSON", ...). */
const char *lumi_strerror(int status);

#endif
