/* Base64 (RFC 4648, via mbedTLS) and hex text encodings of binary data. */
#include "crypto/crypto.h"

#include <mbedtls/base64.h>

int crypto_base64_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                         size_t *out_len) {
  if (in_len == 0) { /* mbedTLS writes no NUL for empty input */
    if (out_cap < 1) return CRYPTO_ESPACE;
    out[0] = '\0';
    *out_len = 0;
    return CRYPTO_OK;
  }
  size_t n;
  int rc = mbedtls_base64_encode((unsigned char *)out, out_cap, &n, in, in_len);
  if (rc == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return CRYPTO_ESPACE;
  if (rc) return CRYPTO_EBACKEND;
  *out_len = n;
  return CRYPTO_OK;
}

/* The 6-bit value of a base64 alphabet character, or -1. */
static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* mbedTLS 2.28 is lenient: it skips line breaks and spaces and silently
 * drops a final group shorter than 4 characters ("Zg" decodes to nothing).
 * Protocol fields are never wrapped or truncated, so anything but the
 * canonical form is refused here before mbedTLS sees it. */
static int b64_canonical(const char *in, size_t len) {
  if (len % 4 != 0) return 0;
  size_t eq = 0;
  if (len > 0 && in[len - 1] == '=') eq++;
  if (len > 1 && in[len - 2] == '=') eq++;
  for (size_t i = 0; i < len - eq; i++)
    if (b64_value(in[i]) < 0) return 0;
  if (eq == 0) return 1;
  /* The last data character carries 4 (one '=') or 2 (two) unused bits. */
  int v = b64_value(in[len - eq - 1]);
  return (v & (eq == 2 ? 0x0f : 0x03)) == 0;
}

int crypto_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *out_len) {
  if (!b64_canonical(in, in_len)) return CRYPTO_EFORMAT;
  if (in_len == 0) {
    *out_len = 0;
    return CRYPTO_OK;
  }
  size_t n;
  int rc = mbedtls_base64_decode(out, out_cap, &n, (const unsigned char *)in, in_len);
  if (rc == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return CRYPTO_ESPACE;
  if (rc == MBEDTLS_ERR_BASE64_INVALID_CHARACTER) return CRYPTO_EFORMAT;
  if (rc) return CRYPTO_EBACKEND;
  *out_len = n;
  return CRYPTO_OK;
}

int crypto_hex_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                      size_t *out_len) {
  static const char digits[] = "0123456789abcdef";
  if (in_len > (SIZE_MAX - 1) / 2 || out_cap < in_len * 2 + 1) return CRYPTO_ESPACE;
  for (size_t i = 0; i < in_len; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 0x0f];
  }
  out[2 * in_len] = '\0';
  *out_len = 2 * in_len;
  return CRYPTO_OK;
}

/* The value of a hex digit in either case, or -1. */
static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int crypto_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                      size_t *out_len) {
  if (in_len % 2 != 0) return CRYPTO_EFORMAT;
  for (size_t i = 0; i < in_len; i++)
    if (hex_value(in[i]) < 0) return CRYPTO_EFORMAT;
  if (out_cap < in_len / 2) return CRYPTO_ESPACE;
  for (size_t i = 0; i < in_len / 2; i++)
    out[i] = (uint8_t)(hex_value(in[2 * i]) << 4 | hex_value(in[2 * i + 1]));
  *out_len = in_len / 2;
  return CRYPTO_OK;
}
