/* Crypto primitives for the device protocols: thin wrappers over mbedTLS. */
#ifndef LUMO_CRYPTO_H
#define LUMO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Status codes: 0 is success, failures are negative. */
#define CRYPTO_OK 0
#define CRYPTO_EINVAL (-1)   /* bad argument, e.g. length not a multiple of 16 */
#define CRYPTO_ESPACE (-2)   /* output capacity too small */
#define CRYPTO_EPADDING (-3) /* PKCS#7 padding is malformed */
#define CRYPTO_EAUTH (-4)    /* GCM tag does not match */
#define CRYPTO_EFORMAT (-5)  /* malformed hex or base64 text */
#define CRYPTO_EBACKEND (-6) /* mbedTLS reported an unexpected failure */

/* A static English message for a status code; "unknown crypto error" for
 * codes not listed above. */
const char *crypto_strerror(int status);

/* ---- AES-128 ECB / CBC --------------------------------------------------- */

#define CRYPTO_AES_KEY_LEN 16
#define CRYPTO_AES_BLOCK_LEN 16

typedef enum {
  CRYPTO_PAD_NONE,  /* input must be a multiple of 16 bytes */
  CRYPTO_PAD_ZERO,  /* 0x00 up to a multiple of 16; nothing is added to an exact
                       multiple (nor to empty input) and nothing is stripped */
  CRYPTO_PAD_PKCS7, /* RFC 5652 §6.3: always 1..16 bytes of value n */
} crypto_padding_t;

/* Ciphertext size for an n-byte plaintext: exact for PKCS#7, and enough for
 * every padding (NONE needs n, ZERO needs n rounded up to a multiple of 16). */
#define CRYPTO_PADDED_LEN(n) (((size_t)(n) / 16 + 1) * 16)

/* Encrypts in_len bytes of `in` with AES-128 in ECB mode after padding them.
 * Needs out_cap >= the padded length (CRYPTO_PADDED_LEN(in_len) always
 * suffices); writes it to *out_len. `out` may equal `in` (in place) but must
 * not otherwise overlap it. CRYPTO_EINVAL if pad is NONE and in_len % 16 != 0,
 * CRYPTO_ESPACE if out_cap is too small; neither writes anything. */
int crypto_aes_ecb_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len);

/* Decrypts in_len bytes (a multiple of 16, else CRYPTO_EINVAL) and strips the
 * padding: PKCS#7 is checked strictly (CRYPTO_EPADDING, and `out` is wiped);
 * ZERO returns all in_len bytes since zeros cannot be told from data. Needs
 * out_cap >= in_len; writes the plaintext length to *out_len. `out` may
 * equal `in`. */
int crypto_aes_ecb_decrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len);

/* As crypto_aes_ecb_encrypt, in CBC mode starting from `iv` (not modified). */
int crypto_aes_cbc_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
                           const uint8_t iv[CRYPTO_AES_BLOCK_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len);

/* As crypto_aes_ecb_decrypt, in CBC mode starting from `iv` (not modified). */
int crypto_aes_cbc_decrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
                           const uint8_t iv[CRYPTO_AES_BLOCK_LEN], crypto_padding_t pad,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len);

/* ---- AES-128-GCM --------------------------------------------------------- */

#define CRYPTO_GCM_TAG_LEN 16

/* Encrypts in_len bytes under `iv` (iv_len >= 1; 12 is the usual size) and
 * authenticates them together with aad_len bytes of `aad` (NULL if 0).
 * Needs out_cap >= in_len; *out_len = in_len; the 16-byte tag goes to `tag`.
 * `out` may equal `in` but must not otherwise overlap it. */
int crypto_aes_gcm_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *iv,
                           size_t iv_len, const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len, uint8_t tag[CRYPTO_GCM_TAG_LEN]);

/* Checks `tag` and decrypts: CRYPTO_EAUTH (with `out` wiped) if the
 * ciphertext, aad, iv or key do not match the tag. Needs out_cap >= in_len;
 * *out_len = in_len. `out` must not overlap `in`. */
int crypto_aes_gcm_decrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *iv,
                           size_t iv_len, const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t in_len,
                           const uint8_t tag[CRYPTO_GCM_TAG_LEN], uint8_t *out,
                           size_t out_cap, size_t *out_len);

/* ---- Digests and HMAC ---------------------------------------------------- */

typedef enum {
  CRYPTO_MD5,    /* 16-byte digest */
  CRYPTO_SHA1,   /* 20-byte digest */
  CRYPTO_SHA256, /* 32-byte digest */
} crypto_md_t;

#define CRYPTO_MD5_LEN 16
#define CRYPTO_SHA1_LEN 20
#define CRYPTO_SHA256_LEN 32
#define CRYPTO_MD_MAX_LEN 32 /* enough for any crypto_md_t */

/* Digest size of `alg` in bytes, or 0 for a value outside crypto_md_t. */
size_t crypto_md_size(crypto_md_t alg);

/* Maps a lowercase name ("md5", "sha1", "sha256", as OneNET's `method`) to
 * *alg; CRYPTO_EINVAL for any other name. */
int crypto_md_parse(const char *name, crypto_md_t *alg);

/* Hashes len bytes of `in`. Needs out_cap >= crypto_md_size(alg) (or
 * CRYPTO_MD_MAX_LEN); writes that size to *out_len. */
int crypto_digest(crypto_md_t alg, const uint8_t *in, size_t len, uint8_t *out,
                  size_t out_cap, size_t *out_len);

/* HMAC (RFC 2104) of msg under key, any key length. Output as crypto_digest. */
int crypto_hmac(crypto_md_t alg, const uint8_t *key, size_t key_len, const uint8_t *msg,
                size_t msg_len, uint8_t *out, size_t out_cap, size_t *out_len);

/* ---- Text encodings ------------------------------------------------------ */

/* Capacity for encoding n bytes, including the terminating NUL. */
#define CRYPTO_BASE64_LEN(n) (((size_t)(n) + 2) / 3 * 4 + 1)
#define CRYPTO_HEX_LEN(n) ((size_t)(n)*2 + 1)
/* Capacity for decoding n characters of base64 (an upper bound). */
#define CRYPTO_BASE64_DECODED_LEN(n) ((size_t)(n) / 4 * 3 + 3)

/* Standard base64 (RFC 4648 §4) with '=' padding. Needs out_cap >=
 * CRYPTO_BASE64_LEN(in_len); writes a NUL-terminated string and its length
 * (without the NUL) to *out_len. */
int crypto_base64_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                         size_t *out_len);

/* Decodes in_len characters of canonical base64: length a multiple of 4,
 * only the standard alphabet, '=' only as the last one or two characters,
 * zero unused bits, no whitespace; anything else is CRYPTO_EFORMAT. Needs
 * out_cap >= the decoded size (CRYPTO_BASE64_DECODED_LEN(in_len) suffices). */
int crypto_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *out_len);

/* Lowercase hex. Needs out_cap >= CRYPTO_HEX_LEN(in_len); writes a
 * NUL-terminated string and its length (without the NUL) to *out_len. */
int crypto_hex_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                      size_t *out_len);

/* Decodes in_len hex digits (either case). CRYPTO_EFORMAT for an odd length
 * or a non-hex character. Needs out_cap >= in_len / 2. */
int crypto_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                      size_t *out_len);

/* ---- CRC-32 -------------------------------------------------------------- */

/* CRC-32/IEEE (as zlib, PNG, Ethernet) of len bytes, continuing from `crc`:
 * pass 0 to start and the previous result to continue, so
 * crypto_crc32(crypto_crc32(0, a, n), b, m) is the CRC of a followed by b.
 * It cannot fail, so it returns the value rather than a status. */
uint32_t crypto_crc32(uint32_t crc, const void *data, size_t len);

#endif
