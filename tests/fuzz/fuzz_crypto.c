/* libFuzzer harness for src/crypto: the decoders must stay inside buffers
 * sized exactly as crypto.h promises, must refuse what they cannot decode
 * with the documented status, and must agree with their encoders.
 *
 * The first input byte selects the operation (low nibble, modulo OP_COUNT)
 * and a variant (high nibble); the rest is the operand. A broken property
 * calls abort(), which libFuzzer reports as a crash and saves the input. */
#include "crypto/crypto.h"

#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  OP_HEX,    /* hex decode, re-encode */
  OP_BASE64, /* base64 decode, re-encode */
  OP_ECB,    /* AES-128-ECB decrypt (or encrypt then decrypt) */
  OP_CBC,    /* AES-128-CBC, likewise */
  OP_GCM,    /* AES-128-GCM decrypt against the tag computed here */
  OP_MAC,    /* digest, and HMAC against its definition */
  OP_ENCODE, /* hex and base64 encode arbitrary bytes, then decode */
  OP_CRC,    /* CRC-32 continuation against a bitwise reference */
  OP_COUNT
};

/* NIST SP 800-38A's key and IV, used when the input does not bring its
 * own; the seed corpus encrypts under these. */
static const uint8_t fixed_key[CRYPTO_AES_KEY_LEN] = {
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};
static const uint8_t fixed_iv[CRYPTO_AES_BLOCK_LEN] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

#define REQUIRE(cond)                                                                    \
  do {                                                                                   \
    if (!(cond)) violated(__LINE__, #cond);                                              \
  } while (0)

static void violated(int line, const char *what) {
  fprintf(stderr, "fuzz_crypto.c:%d: property violated: %s\n", line, what);
  abort();
}

/* ---- Output buffers ------------------------------------------------------ */

/* An output buffer of exactly `cap` usable bytes. The bytes after it are
 * poisoned, so ASan stops our own code at the first byte past the end; they
 * also hold a canary, checked by buf_free, because mbedTLS is not
 * instrumented and would overrun them silently. The usable bytes start as
 * the canary too, so a caller can tell whether anything was written. */
#define CANARY 0xa5
#define GUARD 32

static size_t buf_size(size_t cap) {
  return (cap + 7) / 8 * 8 + GUARD; /* ASan poisons whole 8-byte granules */
}

static uint8_t *buf_new(size_t cap) {
  uint8_t *p = malloc(buf_size(cap));
  if (!p) abort();
  memset(p, CANARY, buf_size(cap));
  ASAN_POISON_MEMORY_REGION(p + cap, buf_size(cap) - cap);
  return p;
}

static void buf_free(uint8_t *p, size_t cap) {
  ASAN_UNPOISON_MEMORY_REGION(p + cap, buf_size(cap) - cap);
  for (size_t i = cap; i < buf_size(cap); i++) REQUIRE(p[i] == CANARY);
  free(p);
}

static int untouched(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != CANARY) return 0;
  return 1;
}

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0) return 0;
  return 1;
}

/* memcmp that accepts n == 0 with any pointers. */
static int same(const void *a, const void *b, size_t n) {
  return n == 0 || memcmp(a, b, n) == 0;
}

/* Every status is one of the documented codes; EBACKEND would mean the
 * wrapper let mbedTLS see arguments it rejects. */
static void check_status(int rc) {
  REQUIRE(rc <= CRYPTO_OK && rc > CRYPTO_EBACKEND);
  REQUIRE(strcmp(crypto_strerror(rc), "unknown crypto error") != 0);
}

/* ---- Text encodings ------------------------------------------------------ */

static int hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void fuzz_hex(const char *text, size_t n) {
  int valid = n % 2 == 0;
  for (size_t i = 0; i < n; i++) valid &= hex_digit(text[i]);

  size_t cap = n / 2, len = SIZE_MAX;
  uint8_t *out = buf_new(cap);
  int rc = crypto_hex_decode(text, n, out, cap, &len);
  check_status(rc);
  REQUIRE(rc == (valid ? CRYPTO_OK : CRYPTO_EFORMAT));
  if (rc == CRYPTO_OK) {
    REQUIRE(len == cap);
    size_t back_cap = CRYPTO_HEX_LEN(len), back_len = SIZE_MAX;
    char *back = (char *)buf_new(back_cap);
    REQUIRE(crypto_hex_encode(out, len, back, back_cap, &back_len) == CRYPTO_OK);
    REQUIRE(back_len == n && back[n] == '\0');
    for (size_t i = 0; i < n; i++) REQUIRE(back[i] == lower(text[i]));
    buf_free((uint8_t *)back, back_cap);

    if (cap > 0) {
      uint8_t *small = buf_new(cap - 1);
      REQUIRE(crypto_hex_decode(text, n, small, cap - 1, &len) == CRYPTO_ESPACE);
      buf_free(small, cap - 1);
    }
  }
  buf_free(out, cap);
}

/* Decoding succeeds exactly on what the encoder produces (OP_ENCODE checks
 * that it accepts all of it, this that it accepts nothing else) and
 * inverts it, which is the canonical form crypto.h promises. */
static void fuzz_base64(const char *text, size_t n) {
  size_t cap = CRYPTO_BASE64_DECODED_LEN(n), len = SIZE_MAX;
  uint8_t *out = buf_new(cap);
  int rc = crypto_base64_decode(text, n, out, cap, &len);
  check_status(rc);
  REQUIRE(rc == CRYPTO_OK || rc == CRYPTO_EFORMAT);
  if (rc == CRYPTO_OK) {
    REQUIRE(len <= cap && len <= n / 4 * 3);
    size_t back_cap = CRYPTO_BASE64_LEN(len), back_len = SIZE_MAX;
    char *back = (char *)buf_new(back_cap);
    REQUIRE(crypto_base64_encode(out, len, back, back_cap, &back_len) == CRYPTO_OK);
    REQUIRE(back_len == n && back[n] == '\0' && same(back, text, n));
    buf_free((uint8_t *)back, back_cap);

    /* The exact decoded size is enough, and one byte less is not. */
    size_t len2 = SIZE_MAX;
    uint8_t *tight = buf_new(len);
    REQUIRE(crypto_base64_decode(text, n, tight, len, &len2) == CRYPTO_OK);
    REQUIRE(len2 == len && same(tight, out, len));
    buf_free(tight, len);
    if (len > 0) {
      uint8_t *small = buf_new(len - 1);
      REQUIRE(crypto_base64_decode(text, n, small, len - 1, &len2) == CRYPTO_ESPACE);
      buf_free(small, len - 1);
    }
  }
  buf_free(out, cap);
}

static void fuzz_encode(const uint8_t *in, size_t n) {
  size_t cap = CRYPTO_HEX_LEN(n), len = SIZE_MAX, len2 = SIZE_MAX;
  char *hex = (char *)buf_new(cap);
  REQUIRE(crypto_hex_encode(in, n, hex, cap, &len) == CRYPTO_OK);
  REQUIRE(len == 2 * n && strlen(hex) == len);
  uint8_t *back = buf_new(n);
  REQUIRE(crypto_hex_decode(hex, len, back, n, &len2) == CRYPTO_OK);
  REQUIRE(len2 == n && same(back, in, n));
  buf_free(back, n);
  buf_free((uint8_t *)hex, cap);
  char *small = (char *)buf_new(cap - 1);
  REQUIRE(crypto_hex_encode(in, n, small, cap - 1, &len) == CRYPTO_ESPACE);
  buf_free((uint8_t *)small, cap - 1);

  cap = CRYPTO_BASE64_LEN(n);
  char *b64 = (char *)buf_new(cap);
  REQUIRE(crypto_base64_encode(in, n, b64, cap, &len) == CRYPTO_OK);
  REQUIRE(len == (n + 2) / 3 * 4 && strlen(b64) == len);
  back = buf_new(n);
  REQUIRE(crypto_base64_decode(b64, len, back, n, &len2) == CRYPTO_OK);
  REQUIRE(len2 == n && same(back, in, n));
  buf_free(back, n);
  buf_free((uint8_t *)b64, cap);
  small = (char *)buf_new(cap - 1);
  REQUIRE(crypto_base64_encode(in, n, small, cap - 1, &len) == CRYPTO_ESPACE);
  buf_free((uint8_t *)small, cap - 1);
}

/* ---- AES-128 ECB / CBC --------------------------------------------------- */

static size_t padded_len(crypto_padding_t pad, size_t n) {
  switch (pad) {
  case CRYPTO_PAD_ZERO:
    return (n + 15) / 16 * 16;
  case CRYPTO_PAD_PKCS7:
    return CRYPTO_PADDED_LEN(n);
  default:
    return n;
  }
}

static int aes_decrypt(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                       const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *len) {
  int rc = iv ? crypto_aes_cbc_decrypt(key, iv, pad, in, n, out, cap, len)
              : crypto_aes_ecb_decrypt(key, pad, in, n, out, cap, len);
  check_status(rc);
  return rc;
}

static int aes_encrypt(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                       const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *len) {
  int rc = iv ? crypto_aes_cbc_encrypt(key, iv, pad, in, n, out, cap, len)
              : crypto_aes_ecb_encrypt(key, pad, in, n, out, cap, len);
  check_status(rc);
  return rc;
}

/* The PKCS#7 padding length of a raw plaintext (n >= 16), or 0 if invalid;
 * written plainly, unlike the constant-time check under test. */
static size_t pkcs7_len(const uint8_t *p, size_t n) {
  size_t k = p[n - 1];
  if (k == 0 || k > 16) return 0;
  for (size_t i = n - k; i < n; i++)
    if (p[i] != k) return 0;
  return k;
}

/* Encrypts n bytes, checks the capacity contract, and decrypts them back. */
static void aes_round_trip(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                           const uint8_t *in, size_t n) {
  size_t len = SIZE_MAX;
  if (pad == CRYPTO_PAD_NONE && n % 16 != 0) {
    uint8_t *out = buf_new(n);
    REQUIRE(aes_encrypt(key, iv, pad, in, n, out, n, &len) == CRYPTO_EINVAL);
    REQUIRE(untouched(out, n));
    buf_free(out, n);
    return;
  }
  size_t cap = padded_len(pad, n);
  uint8_t *ct = buf_new(cap);
  REQUIRE(aes_encrypt(key, iv, pad, in, n, ct, cap, &len) == CRYPTO_OK);
  REQUIRE(len == cap);
  if (cap > 0) {
    uint8_t *small = buf_new(cap - 1);
    REQUIRE(aes_encrypt(key, iv, pad, in, n, small, cap - 1, &len) == CRYPTO_ESPACE);
    REQUIRE(untouched(small, cap - 1));
    buf_free(small, cap - 1);
  }

  /* In place: the buffer holds the plaintext and room for the padding. */
  uint8_t *inplace = buf_new(cap);
  if (n > 0) memcpy(inplace, in, n);
  REQUIRE(aes_encrypt(key, iv, pad, inplace, n, inplace, cap, &len) == CRYPTO_OK);
  REQUIRE(len == cap && same(inplace, ct, cap));
  buf_free(inplace, cap);

  uint8_t *pt = buf_new(cap);
  int rc = aes_decrypt(key, iv, pad, ct, cap, pt, cap, &len);
  if (pad == CRYPTO_PAD_ZERO) {
    /* Zeros cannot be told from data: the padding stays. */
    REQUIRE(rc == CRYPTO_OK && len == cap && same(pt, in, n) &&
            all_zero(pt + n, cap - n));
  } else {
    REQUIRE(rc == CRYPTO_OK && len == n && same(pt, in, n));
  }
  buf_free(pt, cap);
  buf_free(ct, cap);
}

/* Variant bits: 0-1 the padding (3 is out of range), 2 key and IV from the
 * input, 3 treat the operand as plaintext rather than ciphertext. */
static void fuzz_aes(int cbc, unsigned variant, const uint8_t *in, size_t n) {
  crypto_padding_t pad = (crypto_padding_t)(variant & 3);
  uint8_t key[CRYPTO_AES_KEY_LEN], iv_in[CRYPTO_AES_BLOCK_LEN], iv[CRYPTO_AES_BLOCK_LEN];
  memcpy(key, fixed_key, sizeof key);
  memcpy(iv_in, fixed_iv, sizeof iv_in);
  if ((variant & 4) && n >= 32) {
    memcpy(key, in, 16);
    memcpy(iv_in, in + 16, 16);
    in += 32;
    n -= 32;
  }
  memcpy(iv, iv_in, sizeof iv);
  const uint8_t *ivp = cbc ? iv : NULL;

  if (variant & 8) {
    if (pad <= CRYPTO_PAD_PKCS7) {
      aes_round_trip(key, ivp, pad, in, n);
    } else {
      size_t len = SIZE_MAX, cap = CRYPTO_PADDED_LEN(n);
      uint8_t *out = buf_new(cap);
      REQUIRE(aes_encrypt(key, ivp, pad, in, n, out, cap, &len) == CRYPTO_EINVAL);
      REQUIRE(untouched(out, cap));
      buf_free(out, cap);
    }
    REQUIRE(memcmp(iv, iv_in, sizeof iv) == 0);
    return;
  }

  size_t len = SIZE_MAX;
  uint8_t *out = buf_new(n);
  int rc = aes_decrypt(key, ivp, pad, in, n, out, n, &len);
  REQUIRE(memcmp(iv, iv_in, sizeof iv) == 0); /* "iv is not modified" */
  if (pad > CRYPTO_PAD_PKCS7 || n % 16 != 0) {
    REQUIRE(rc == CRYPTO_EINVAL);
    buf_free(out, n);
    return;
  }
  if (pad == CRYPTO_PAD_PKCS7 && n == 0) {
    REQUIRE(rc == CRYPTO_EPADDING);
    buf_free(out, n);
    return;
  }

  /* The raw plaintext, and for CBC its relation to ECB: P_i = D(C_i) ^ C_{i-1}. */
  size_t raw_len = SIZE_MAX;
  uint8_t *raw = buf_new(n);
  REQUIRE(aes_decrypt(key, ivp, CRYPTO_PAD_NONE, in, n, raw, n, &raw_len) == CRYPTO_OK);
  REQUIRE(raw_len == n);
  if (cbc) {
    uint8_t *ecb = buf_new(n);
    REQUIRE(aes_decrypt(key, NULL, CRYPTO_PAD_NONE, in, n, ecb, n, &raw_len) ==
            CRYPTO_OK);
    for (size_t i = 0; i < n; i++)
      REQUIRE(raw[i] == (uint8_t)(ecb[i] ^ (i < 16 ? iv[i] : in[i - 16])));
    buf_free(ecb, n);
  }

  size_t strip = pad == CRYPTO_PAD_PKCS7 ? pkcs7_len(raw, n) : 0;
  if (pad == CRYPTO_PAD_PKCS7 && strip == 0) {
    REQUIRE(rc == CRYPTO_EPADDING && all_zero(out, n)); /* "out is wiped" */
  } else {
    REQUIRE(rc == CRYPTO_OK && len == n - strip && same(out, raw, len));
    /* Re-encrypting the plaintext gives the ciphertext back. */
    size_t cap = padded_len(pad, len), len2 = SIZE_MAX;
    uint8_t *ct = buf_new(cap);
    REQUIRE(aes_encrypt(key, ivp, pad, out, len, ct, cap, &len2) == CRYPTO_OK);
    REQUIRE(len2 == n && same(ct, in, n));
    buf_free(ct, cap);
  }

  /* In place gives the same answer. */
  uint8_t *inplace = buf_new(n);
  memcpy(inplace, in, n);
  size_t len3 = SIZE_MAX;
  REQUIRE(aes_decrypt(key, ivp, pad, inplace, n, inplace, n, &len3) == rc);
  if (rc == CRYPTO_OK) REQUIRE(len3 == len && same(inplace, out, len));
  buf_free(inplace, n);

  if (n > 0) {
    uint8_t *small = buf_new(n - 1);
    REQUIRE(aes_decrypt(key, ivp, pad, in, n, small, n - 1, &len3) == CRYPTO_ESPACE);
    buf_free(small, n - 1);
  }
  buf_free(raw, n);
  buf_free(out, n);
}

/* ---- AES-128-GCM --------------------------------------------------------- */

/* Operand: [key 16 if variant bit 0] iv tag(16) [aad_len(1) aad if bit 3]
 * ciphertext. Bits 1-2 pick the IV length, 0 being refused. GCM is CTR
 * mode, so encrypting the ciphertext yields the plaintext, and encrypting
 * that yields the ciphertext again with the one tag that must verify. */
static void fuzz_gcm(unsigned variant, const uint8_t *in, size_t n) {
  static const size_t iv_lens[4] = {12, 0, 1, 16};
  const uint8_t *key = fixed_key;
  if ((variant & 1) && n >= 16) {
    key = in;
    in += 16;
    n -= 16;
  }
  size_t iv_len = iv_lens[(variant >> 1) & 3];
  if (n < iv_len + CRYPTO_GCM_TAG_LEN) return;
  const uint8_t *iv = in, *tag = in + iv_len;
  in += iv_len + CRYPTO_GCM_TAG_LEN;
  n -= iv_len + CRYPTO_GCM_TAG_LEN;
  const uint8_t *aad = NULL;
  size_t aad_len = 0;
  if ((variant & 8) && n >= 1) {
    aad_len = in[0] < n - 1 ? in[0] : n - 1;
    aad = aad_len ? in + 1 : NULL;
    in += 1 + aad_len;
    n -= 1 + aad_len;
  }

  size_t out_len = SIZE_MAX, len = SIZE_MAX;
  uint8_t *out = buf_new(n);
  int rc =
      crypto_aes_gcm_decrypt(key, iv, iv_len, aad, aad_len, in, n, tag, out, n, &out_len);
  check_status(rc);
  if (iv_len == 0) {
    REQUIRE(rc == CRYPTO_EINVAL);
    buf_free(out, n);
    return;
  }

  uint8_t *plain = buf_new(n), *again = buf_new(n);
  uint8_t junk[CRYPTO_GCM_TAG_LEN], good[CRYPTO_GCM_TAG_LEN];
  REQUIRE(crypto_aes_gcm_encrypt(key, iv, iv_len, aad, aad_len, in, n, plain, n, &len,
                                 junk) == CRYPTO_OK);
  REQUIRE(crypto_aes_gcm_encrypt(key, iv, iv_len, aad, aad_len, plain, n, again, n, &len,
                                 good) == CRYPTO_OK);
  REQUIRE(len == n && same(again, in, n));

  if (memcmp(tag, good, sizeof good) == 0) {
    REQUIRE(rc == CRYPTO_OK && out_len == n && same(out, plain, n));
  } else {
    REQUIRE(rc == CRYPTO_EAUTH && all_zero(out, n));
  }

  memset(out, CANARY, n);
  REQUIRE(crypto_aes_gcm_decrypt(key, iv, iv_len, aad, aad_len, in, n, good, out, n,
                                 &len) == CRYPTO_OK);
  REQUIRE(len == n && same(out, plain, n));

  good[n % sizeof good] ^= (uint8_t)(1u << (n % 8));
  memset(out, CANARY, n);
  REQUIRE(crypto_aes_gcm_decrypt(key, iv, iv_len, aad, aad_len, in, n, good, out, n,
                                 &len) == CRYPTO_EAUTH);
  REQUIRE(all_zero(out, n));

  if (n > 0) {
    uint8_t *small = buf_new(n - 1);
    REQUIRE(crypto_aes_gcm_decrypt(key, iv, iv_len, aad, aad_len, in, n, tag, small,
                                   n - 1, &len) == CRYPTO_ESPACE);
    buf_free(small, n - 1);
  }
  buf_free(again, n);
  buf_free(plain, n);
  buf_free(out, n);
}

/* ---- Digests and HMAC ---------------------------------------------------- */

static void mac(crypto_md_t alg, const uint8_t *key, size_t key_len, const uint8_t *msg,
                size_t msg_len, uint8_t out[CRYPTO_MD_MAX_LEN]) {
  size_t size = crypto_md_size(alg), len = SIZE_MAX;
  uint8_t *buf = buf_new(size);
  REQUIRE(crypto_hmac(alg, key, key_len, msg, msg_len, buf, size, &len) == CRYPTO_OK);
  REQUIRE(len == size);
  memcpy(out, buf, size);
  buf_free(buf, size);
}

/* The operand as an algorithm name, up to its first NUL. */
static void fuzz_md_name(const uint8_t *in, size_t n) {
  static const char *const names[] = {"md5", "sha1", "sha256"}; /* crypto_md_t order */
  char *name = (char *)buf_new(n + 1);
  memcpy(name, in, n);
  name[n] = '\0';
  int want = -1;
  for (int i = 0; i < 3; i++)
    if (strcmp(name, names[i]) == 0) want = i;
  crypto_md_t alg = CRYPTO_MD5;
  int rc = crypto_md_parse(name, &alg);
  check_status(rc);
  if (want < 0) {
    REQUIRE(rc == CRYPTO_EINVAL);
  } else {
    REQUIRE(rc == CRYPTO_OK && alg == (crypto_md_t)want);
  }
  buf_free((uint8_t *)name, n + 1);
}

/* Variant bits 0-1 pick the algorithm (3 is out of range); with bit 2 the
 * first operand byte is the HMAC key length; bit 3 parses a name instead.
 * RFC 2104 pads a key of up to 64 bytes (the block size of all three) with
 * zeros and hashes a longer one first: both make a second key that must
 * give the same HMAC. */
static void fuzz_mac(unsigned variant, const uint8_t *in, size_t n) {
  if (variant & 8) {
    fuzz_md_name(in, n);
    return;
  }
  crypto_md_t alg = (crypto_md_t)(variant & 3);
  size_t size = crypto_md_size(alg), len = SIZE_MAX;
  if (size == 0) {
    uint8_t out[CRYPTO_MD_MAX_LEN];
    REQUIRE(crypto_digest(alg, in, n, out, sizeof out, &len) == CRYPTO_EINVAL);
    REQUIRE(crypto_hmac(alg, in, n, in, n, out, sizeof out, &len) == CRYPTO_EINVAL);
    return;
  }

  uint8_t *digest = buf_new(size);
  REQUIRE(crypto_digest(alg, in, n, digest, size, &len) == CRYPTO_OK && len == size);
  buf_free(digest, size);
  uint8_t *small = buf_new(size - 1);
  REQUIRE(crypto_digest(alg, in, n, small, size - 1, &len) == CRYPTO_ESPACE);
  REQUIRE(crypto_hmac(alg, in, n, in, n, small, size - 1, &len) == CRYPTO_ESPACE);
  buf_free(small, size - 1);
  if (!(variant & 4) || n == 0) return;

  size_t key_len = in[0] < n - 1 ? in[0] : n - 1;
  const uint8_t *key = in + 1, *msg = in + 1 + key_len;
  size_t msg_len = n - 1 - key_len;
  uint8_t want[CRYPTO_MD_MAX_LEN], got[CRYPTO_MD_MAX_LEN], key2[64] = {0};
  mac(alg, key, key_len, msg, msg_len, want);
  if (key_len <= 64) {
    if (key_len > 0) memcpy(key2, key, key_len);
    mac(alg, key2, 64, msg, msg_len, got);
  } else {
    REQUIRE(crypto_digest(alg, key, key_len, key2, sizeof key2, &len) == CRYPTO_OK);
    mac(alg, key2, len, msg, msg_len, got);
  }
  REQUIRE(memcmp(want, got, size) == 0);
}

/* ---- CRC-32 -------------------------------------------------------------- */

static uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
  }
  return ~crc;
}

static void fuzz_crc(const uint8_t *in, size_t n) {
  uint32_t whole = crypto_crc32(0, in, n);
  REQUIRE(whole == crc32_bitwise(in, n));
  size_t split = n ? in[0] % (n + 1) : 0;
  REQUIRE(crypto_crc32(crypto_crc32(0, in, split), in + split, n - split) == whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  unsigned op = (data[0] & 0x0f) % OP_COUNT, variant = data[0] >> 4;
  const uint8_t *in = data + 1;
  size_t n = size - 1;
  switch (op) {
  case OP_HEX:
    fuzz_hex((const char *)in, n);
    break;
  case OP_BASE64:
    fuzz_base64((const char *)in, n);
    break;
  case OP_ECB:
  case OP_CBC:
    fuzz_aes(op == OP_CBC, variant, in, n);
    break;
  case OP_GCM:
    fuzz_gcm(variant, in, n);
    break;
  case OP_MAC:
    fuzz_mac(variant, in, n);
    break;
  case OP_ENCODE:
    fuzz_encode(in, n);
    break;
  case OP_CRC:
    fuzz_crc(in, n);
    break;
  }
  return 0;
}
