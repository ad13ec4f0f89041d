/* Known-answer tests for src/crypto from the standards, plus padding, tamper
 * and capacity behaviour. Every vector below was also checked with openssl. */
#include "check.h"
#include "crypto/crypto.h"

#include <stdint.h>
#include <stdlib.h>

/* Decodes a hex literal into buf (via the module's own decoder, which the
 * RFC 4648 base16 vectors in test_hex pin down) and returns its length. */
static size_t unhex(const char *hex, uint8_t *buf, size_t cap) {
  size_t n = 0;
  int rc = crypto_hex_decode(hex, strlen(hex), buf, cap, &n);
  CHECK_INT(rc, CRYPTO_OK);
  return rc == CRYPTO_OK ? n : 0;
}

/* Compares out[0..n) with a hex literal, after checking the length. */
#define CHECK_HEX(out, n, hex)                                                           \
  do {                                                                                   \
    uint8_t want_[512];                                                                  \
    size_t want_n_ = unhex((hex), want_, sizeof want_);                                  \
    CHECK_INT((n), want_n_);                                                             \
    if ((size_t)(n) == want_n_) CHECK_MEM((out), want_, want_n_);                        \
  } while (0)

/* A heap copy of exactly n bytes, so ASan flags any access past the end. */
static uint8_t *dup_exact(const uint8_t *p, size_t n) {
  uint8_t *q = malloc(n ? n : 1);
  if (n) memcpy(q, p, n);
  return q;
}

/* ---- AES ECB / CBC -------------------------------------------------------- */

/* NIST SP 800-38A appendix F: the key and four plaintext blocks shared by
 * F.1.1 (ECB-AES128) and F.2.1 (CBC-AES128). */
static const char *sp800_key = "2b7e151628aed2a6abf7158809cf4f3c";
static const char *sp800_iv = "000102030405060708090a0b0c0d0e0f";
static const char *sp800_plain = "6bc1bee22e409f96e93d7e117393172a"
                                 "ae2d8a571e03ac9c9eb76fac45af8e51"
                                 "30c81c46a35ce411e5fbc1191a0a52ef"
                                 "f69f2445df4f9b17ad2b417be66c3710";

static void test_aes_ecb(void) {
  uint8_t key[16], pt[64], out[64], back[64];
  size_t n = 0, m = 0;

  /* FIPS-197 appendix C.1, AES-128. */
  unhex("000102030405060708090a0b0c0d0e0f", key, sizeof key);
  size_t pn = unhex("00112233445566778899aabbccddeeff", pt, sizeof pt);
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_NONE, pt, pn, out, 16, &n), 0);
  CHECK_HEX(out, n, "69c4e0d86a7b0430d8cdb78070b4c55a");
  CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_NONE, out, n, back, 16, &m), 0);
  CHECK_INT(m, 16);
  CHECK_MEM(back, pt, 16);

  /* SP 800-38A F.1.1 ECB-AES128.Encrypt and F.1.2 .Decrypt. */
  static const char *ct = "3ad77bb40d7a3660a89ecaf32466ef97"
                          "f5d3d58503b9699de785895a96fdbaaf"
                          "43b1cd7f598ece23881b00e3ed030688"
                          "7b0c785e27e8ad3f8223207104725dd4";
  unhex(sp800_key, key, sizeof key);
  pn = unhex(sp800_plain, pt, sizeof pt);
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_NONE, pt, pn, out, sizeof out, &n), 0);
  CHECK_HEX(out, n, ct);
  CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_NONE, out, n, back, sizeof back, &m),
            0);
  CHECK_INT(m, 64);
  CHECK_MEM(back, pt, 64);

  /* In place. */
  memcpy(back, pt, 64);
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_NONE, back, 64, back, 64, &n), 0);
  CHECK_HEX(back, n, ct);
}

static void test_aes_cbc(void) {
  uint8_t key[16], iv[16], iv_copy[16], pt[64], out[64], back[64];
  size_t n = 0, m = 0;

  /* SP 800-38A F.2.1 CBC-AES128.Encrypt and F.2.2 .Decrypt. */
  static const char *ct = "7649abac8119b246cee98e9b12e9197d"
                          "5086cb9b507219ee95db113a917678b2"
                          "73bed6b8e3c1743b7116e69e22229516"
                          "3ff1caa1681fac09120eca307586e1a7";
  unhex(sp800_key, key, sizeof key);
  unhex(sp800_iv, iv, sizeof iv);
  memcpy(iv_copy, iv, 16);
  size_t pn = unhex(sp800_plain, pt, sizeof pt);
  CHECK_INT(crypto_aes_cbc_encrypt(key, iv, CRYPTO_PAD_NONE, pt, pn, out, 64, &n), 0);
  CHECK_HEX(out, n, ct);
  CHECK_MEM(iv, iv_copy, 16); /* the caller's iv is left alone */
  CHECK_INT(crypto_aes_cbc_decrypt(key, iv, CRYPTO_PAD_NONE, out, n, back, 64, &m), 0);
  CHECK_INT(m, 64);
  CHECK_MEM(back, pt, 64);

  /* In place, both ways. */
  CHECK_INT(crypto_aes_cbc_decrypt(key, iv, CRYPTO_PAD_NONE, out, 64, out, 64, &m), 0);
  CHECK_MEM(out, pt, 64);
}

/* PKCS#7 answers from `openssl enc` (whose default padding is PKCS#7). */
static void test_pkcs7_openssl(void) {
  uint8_t key[16], iv[16], out[32];
  size_t n = 0;
  unhex(sp800_key, key, sizeof key);
  unhex(sp800_iv, iv, sizeof iv);
  /* printf '' | openssl enc -aes-128-ecb -K <sp800 key> */
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_PKCS7, NULL, 0, out, 16, &n), 0);
  CHECK_HEX(out, n, "a254be88e037ddd9d79fb6411c3f9df8");
  /* printf abc | openssl enc -aes-128-cbc -K <sp800 key> -iv <sp800 iv> */
  CHECK_INT(crypto_aes_cbc_encrypt(key, iv, CRYPTO_PAD_PKCS7, (const uint8_t *)"abc", 3,
                                   out, 16, &n),
            0);
  CHECK_HEX(out, n, "f327e7290b9b923d29d949db2c9f75cc");
}

typedef int (*aes_fn)(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                      const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                      size_t *out_len);

static int ecb_enc(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                   const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                   size_t *n) {
  (void)iv;
  return crypto_aes_ecb_encrypt(key, pad, in, in_len, out, cap, n);
}
static int ecb_dec(const uint8_t *key, const uint8_t *iv, crypto_padding_t pad,
                   const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                   size_t *n) {
  (void)iv;
  return crypto_aes_ecb_decrypt(key, pad, in, in_len, out, cap, n);
}

/* Round trips every padding through exact-size heap buffers. */
static void test_padding_round_trip(void) {
  static const size_t lens[] = {0, 1, 15, 16, 17, 31, 32};
  struct {
    aes_fn enc, dec;
  } modes[] = {{ecb_enc, ecb_dec}, {crypto_aes_cbc_encrypt, crypto_aes_cbc_decrypt}};
  uint8_t key[16], iv[16], src[32];
  unhex(sp800_key, key, sizeof key);
  unhex(sp800_iv, iv, sizeof iv);
  for (size_t i = 0; i < sizeof src; i++) src[i] = (uint8_t)(0xa0 + i);

  for (size_t mi = 0; mi < 2; mi++) {
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
      size_t len = lens[li];
      uint8_t *in = dup_exact(src, len);

      /* Zero padding: rounded up, not stripped, filled with 0x00. */
      size_t zlen = (len + 15) / 16 * 16, n = 99, m = 99;
      uint8_t *ct = malloc(zlen ? zlen : 1), *pt = malloc(zlen ? zlen : 1);
      CHECK_INT(modes[mi].enc(key, iv, CRYPTO_PAD_ZERO, in, len, ct, zlen, &n), 0);
      CHECK_INT(n, zlen);
      CHECK_INT(modes[mi].dec(key, iv, CRYPTO_PAD_ZERO, ct, n, pt, zlen, &m), 0);
      CHECK_INT(m, zlen);
      if (len) CHECK_MEM(pt, src, len);
      for (size_t k = len; k < zlen; k++) CHECK_INT(pt[k], 0);
      free(ct);
      free(pt);

      /* PKCS#7: always grows by 1..16, strips back to the input exactly. */
      size_t plen = CRYPTO_PADDED_LEN(len);
      CHECK_INT(plen, len + 16 - len % 16);
      ct = malloc(plen);
      pt = malloc(plen);
      CHECK_INT(modes[mi].enc(key, iv, CRYPTO_PAD_PKCS7, in, len, ct, plen, &n), 0);
      CHECK_INT(n, plen);
      CHECK_INT(modes[mi].dec(key, iv, CRYPTO_PAD_PKCS7, ct, n, pt, plen, &m), 0);
      CHECK_INT(m, len);
      if (len) CHECK_MEM(pt, src, len);
      /* Decrypting without stripping shows the pad bytes themselves. */
      CHECK_INT(modes[mi].dec(key, iv, CRYPTO_PAD_NONE, ct, n, pt, plen, &m), 0);
      for (size_t k = len; k < plen; k++) CHECK_INT(pt[k], plen - len);
      free(ct);
      free(pt);

      /* No padding: only whole blocks are accepted. */
      uint8_t out[32];
      int want = len % 16 ? CRYPTO_EINVAL : CRYPTO_OK;
      CHECK_INT(modes[mi].enc(key, iv, CRYPTO_PAD_NONE, in, len, out, sizeof out, &n),
                want);
      CHECK_INT(modes[mi].dec(key, iv, CRYPTO_PAD_NONE, in, len, out, sizeof out, &n),
                want);
      free(in);
    }
  }
}

/* Decrypting blocks whose plaintext ends in malformed PKCS#7 padding. The
 * blocks are made by encrypting chosen plaintext with no padding. */
static void test_pkcs7_bad(void) {
  static const char *bad[] = {
      "000102030405060708090a0b0c0d0e00", /* pad value 0 */
      "000102030405060708090a0b0c0d0e11", /* 17 > block size */
      "000102030405060708090a0b0c0d02ff", /* 255 */
      "000102030405060708090a0b0c030203", /* says 3, has 02 03 before */
      "10101010101010101010101010101011", /* 17 */
      "0f101010101010101010101010101010", /* says 16, first byte differs */
      "11111111111111111111111111111111", /* 17, consistently: longer than input */
      "ffffffffffffffffffffffffffffffff", /* 255, consistently */
  };
  uint8_t key[16], iv[16], pt[16], ct[32], out[32];
  size_t n = 0, m = 0;
  unhex(sp800_key, key, sizeof key);
  unhex(sp800_iv, iv, sizeof iv);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    unhex(bad[i], pt, sizeof pt);
    CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_NONE, pt, 16, ct, 16, &n), 0);
    uint8_t *hostile = dup_exact(ct, 16);
    memset(out, 0x55, sizeof out);
    CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_PKCS7, hostile, 16, out, 16, &m),
              CRYPTO_EPADDING);
    for (size_t k = 0; k < 16; k++) CHECK_INT(out[k], 0); /* wiped */
    free(hostile);
  }

  /* A full pad block (16 x 0x10) is valid and strips to nothing. */
  memset(pt, 0x10, 16);
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_NONE, pt, 16, ct, 16, &n), 0);
  CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_PKCS7, ct, 16, out, 16, &m), 0);
  CHECK_INT(m, 0);

  /* CBC: flipping a bit of the iv flips the same plaintext bit, so the pad
   * byte of "abc" + 13 x 0x0d turns into 0x0c and no longer matches. */
  CHECK_INT(crypto_aes_cbc_encrypt(key, iv, CRYPTO_PAD_PKCS7, (const uint8_t *)"abc", 3,
                                   ct, 16, &n),
            0);
  CHECK_INT(crypto_aes_cbc_decrypt(key, iv, CRYPTO_PAD_PKCS7, ct, n, out, 16, &m), 0);
  CHECK_INT(m, 3);
  iv[15] ^= 0x01;
  CHECK_INT(crypto_aes_cbc_decrypt(key, iv, CRYPTO_PAD_PKCS7, ct, n, out, 16, &m),
            CRYPTO_EPADDING);

  /* Empty or ragged ciphertext. */
  CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_PKCS7, ct, 0, out, 16, &m),
            CRYPTO_EPADDING);
  CHECK_INT(crypto_aes_cbc_decrypt(key, iv, CRYPTO_PAD_PKCS7, ct, 15, out, 16, &m),
            CRYPTO_EINVAL);
  CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_ZERO, ct, 17, out, 32, &m),
            CRYPTO_EINVAL);
}

static void test_aes_space(void) {
  uint8_t key[16], iv[16], in[32] = {0}, out[48];
  size_t n = 7;
  unhex(sp800_key, key, sizeof key);
  unhex(sp800_iv, iv, sizeof iv);
  memset(out, 0xee, sizeof out);
  /* 16 bytes with PKCS#7 need 32. */
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_PKCS7, in, 16, out, 31, &n),
            CRYPTO_ESPACE);
  CHECK_INT(crypto_aes_cbc_encrypt(key, iv, CRYPTO_PAD_PKCS7, in, 16, out, 16, &n),
            CRYPTO_ESPACE);
  /* 17 bytes with zero padding need 32. */
  CHECK_INT(crypto_aes_cbc_encrypt(key, iv, CRYPTO_PAD_ZERO, in, 17, out, 31, &n),
            CRYPTO_ESPACE);
  CHECK_INT(crypto_aes_ecb_encrypt(key, CRYPTO_PAD_NONE, in, 32, out, 16, &n),
            CRYPTO_ESPACE);
  /* Decrypting needs the full ciphertext length, padding or not. */
  CHECK_INT(crypto_aes_ecb_decrypt(key, CRYPTO_PAD_PKCS7, in, 32, out, 31, &n),
            CRYPTO_ESPACE);
  CHECK_INT(crypto_aes_cbc_decrypt(key, iv, CRYPTO_PAD_NONE, in, 16, out, 0, &n),
            CRYPTO_ESPACE);
  CHECK_INT(n, 7);                        /* untouched on error */
  for (size_t i = 0; i < sizeof out; i++) /* nothing written */
    CHECK_INT(out[i], 0xee);
  CHECK_INT(crypto_aes_ecb_encrypt(key, (crypto_padding_t)42, in, 16, out, 48, &n),
            CRYPTO_EINVAL);
}

/* ---- AES-GCM -------------------------------------------------------------- */

/* McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B,
 * test cases 1-6 (the AES-128 ones). Cases 5 and 6 use 8- and 60-byte IVs. */
static const char *gcm_k = "feffe9928665731c6d6a8f9467308308";
static const char *gcm_p =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
static const char *gcm_p60 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char *gcm_a = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
static const struct {
  int id;
  const char *key, *iv, *pt, *aad, *ct, *tag;
} gcm_cases[] = {
    {1, "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {2, "00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {3, NULL, "cafebabefacedbaddecaf888", NULL, "",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {4, NULL, "cafebabefacedbaddecaf888", "p60", NULL,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {5, NULL, "cafebabefacedbad", "p60", NULL,
     "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
     "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598",
     "3612d2e79e3b0785561be14aaca2fccb"},
    {6, NULL,
     "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
     "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
     "p60", NULL,
     "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
     "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
     "619cc5aefffe0bfa462af43c1699d050"},
};

static void test_gcm(void) {
  for (size_t i = 0; i < sizeof gcm_cases / sizeof gcm_cases[0]; i++) {
    uint8_t key[16], iv[64], pt[64], aad[32], ct[64], tag[16], out[64];
    size_t n = 0, m = 0;
    int before = check_failures;
    const char *p = gcm_cases[i].pt;
    p = !p ? gcm_p : strcmp(p, "p60") == 0 ? gcm_p60 : p;
    unhex(gcm_cases[i].key ? gcm_cases[i].key : gcm_k, key, sizeof key);
    size_t ivn = unhex(gcm_cases[i].iv, iv, sizeof iv);
    size_t pn = unhex(p, pt, sizeof pt);
    size_t an = unhex(gcm_cases[i].aad ? gcm_cases[i].aad : gcm_a, aad, sizeof aad);
    CHECK_INT(
        crypto_aes_gcm_encrypt(key, iv, ivn, aad, an, pt, pn, ct, sizeof ct, &n, tag), 0);
    CHECK_HEX(ct, n, gcm_cases[i].ct);
    CHECK_HEX(tag, 16, gcm_cases[i].tag);
    CHECK_INT(
        crypto_aes_gcm_decrypt(key, iv, ivn, aad, an, ct, n, tag, out, sizeof out, &m),
        0);
    CHECK_INT(m, pn);
    if (pn) CHECK_MEM(out, pt, pn);
    if (check_failures != before)
      fprintf(stderr, "  (GCM test case %d)\n", gcm_cases[i].id);
  }
}

static void test_gcm_tamper(void) {
  uint8_t key[16], iv[12], pt[60], aad[20], ct[60], tag[16], out[60];
  size_t n = 0, m = 0;
  unhex(gcm_k, key, sizeof key);
  unhex("cafebabefacedbaddecaf888", iv, sizeof iv);
  unhex(gcm_p60, pt, sizeof pt);
  unhex(gcm_a, aad, sizeof aad);
  CHECK_INT(crypto_aes_gcm_encrypt(key, iv, 12, aad, 20, pt, 60, ct, 60, &n, tag), 0);

  /* Test case 4 with one bit flipped in the tag, the ciphertext or the aad. */
  uint8_t *hct = dup_exact(ct, 60), *htag = dup_exact(tag, 16);
  htag[0] ^= 0x01;
  memset(out, 0x55, sizeof out);
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 20, hct, 60, htag, out, 60, &m),
            CRYPTO_EAUTH);
  for (size_t k = 0; k < 60; k++) CHECK_INT(out[k], 0); /* wiped */
  htag[0] ^= 0x01;
  htag[15] ^= 0x80;
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 20, hct, 60, htag, out, 60, &m),
            CRYPTO_EAUTH);
  htag[15] ^= 0x80;
  hct[59] ^= 0x01;
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 20, hct, 60, htag, out, 60, &m),
            CRYPTO_EAUTH);
  hct[59] ^= 0x01;
  aad[19] ^= 0x01;
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 20, hct, 60, htag, out, 60, &m),
            CRYPTO_EAUTH);
  aad[19] ^= 0x01;
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 19, hct, 60, htag, out, 60, &m),
            CRYPTO_EAUTH);
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 20, hct, 60, htag, out, 60, &m), 0);
  CHECK_MEM(out, pt, 60);
  free(hct);
  free(htag);

  /* An empty iv and short output buffers are refused. */
  CHECK_INT(crypto_aes_gcm_encrypt(key, iv, 0, aad, 20, pt, 60, ct, 60, &n, tag),
            CRYPTO_EINVAL);
  CHECK_INT(crypto_aes_gcm_encrypt(key, iv, 12, aad, 20, pt, 60, ct, 59, &n, tag),
            CRYPTO_ESPACE);
  CHECK_INT(crypto_aes_gcm_decrypt(key, iv, 12, aad, 20, ct, 60, tag, out, 59, &m),
            CRYPTO_ESPACE);
}

/* ---- Digests and HMAC ----------------------------------------------------- */

static void test_digest(void) {
  /* RFC 1321 appendix A.5, the MD5 test suite. */
  static const char *md5_suite[][2] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"1234567890123456789012345678901234567890"
       "1234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  /* FIPS 180-2 appendices A.1, A.2 (SHA-1) and B.1, B.2 (SHA-256). */
  static const char *two_block =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  static const struct {
    crypto_md_t alg;
    const char *msg, *digest;
  } sha[] = {
      {CRYPTO_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {CRYPTO_SHA1, NULL, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
      {CRYPTO_SHA256, "abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {CRYPTO_SHA256, NULL,
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  uint8_t out[CRYPTO_MD_MAX_LEN];
  size_t n = 0;
  for (size_t i = 0; i < sizeof md5_suite / sizeof md5_suite[0]; i++) {
    const char *msg = md5_suite[i][0];
    CHECK_INT(crypto_digest(CRYPTO_MD5, (const uint8_t *)msg, strlen(msg), out, 16, &n),
              0);
    CHECK_HEX(out, n, md5_suite[i][1]);
  }
  for (size_t i = 0; i < sizeof sha / sizeof sha[0]; i++) {
    const char *msg = sha[i].msg ? sha[i].msg : two_block;
    CHECK_INT(
        crypto_digest(sha[i].alg, (const uint8_t *)msg, strlen(msg), out, sizeof out, &n),
        0);
    CHECK_HEX(out, n, sha[i].digest);
  }

  CHECK_INT(crypto_digest(CRYPTO_SHA256, (const uint8_t *)"abc", 3, out, 31, &n),
            CRYPTO_ESPACE);
  CHECK_INT(crypto_digest((crypto_md_t)9, (const uint8_t *)"abc", 3, out, 32, &n),
            CRYPTO_EINVAL);
  CHECK_INT(crypto_md_size(CRYPTO_MD5), 16);
  CHECK_INT(crypto_md_size(CRYPTO_SHA1), 20);
  CHECK_INT(crypto_md_size(CRYPTO_SHA256), 32);
  crypto_md_t alg = CRYPTO_MD5;
  CHECK_INT(crypto_md_parse("sha256", &alg), 0);
  CHECK_INT(alg, CRYPTO_SHA256);
  CHECK_INT(crypto_md_parse("sha1", &alg), 0);
  CHECK_INT(alg, CRYPTO_SHA1);
  CHECK_INT(crypto_md_parse("md5", &alg), 0);
  CHECK_INT(alg, CRYPTO_MD5);
  CHECK_INT(crypto_md_parse("SHA1", &alg), CRYPTO_EINVAL);
  CHECK_INT(crypto_md_parse("sha512", &alg), CRYPTO_EINVAL);
}

/* RFC 2202 (HMAC-MD5, HMAC-SHA1) and RFC 4231 (HMAC-SHA256) test cases 1-7.
 * A NULL key_hex means key_n copies of key_byte; a NULL data, data_n copies
 * of data_byte. A shorter mac is a truncated one (RFC 4231 case 5). */
static const struct {
  const char *rfc;
  int id;
  crypto_md_t alg;
  const char *key_hex;
  uint8_t key_byte;
  size_t key_n;
  const char *data;
  uint8_t data_byte;
  size_t data_n;
  const char *mac;
} hmac_cases[] = {
#define K25 "0102030405060708090a0b0c0d0e0f10111213141516171819"
#define BIG1 "Test Using Larger Than Block-Size Key - Hash Key First"
#define BIG2 "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
#define BIG3                                                                             \
  "This is a test using a larger than block-size key and a larger than block-size "      \
  "data. The key needs to be hashed before being used by the HMAC algorithm."
    {"2202", 1, CRYPTO_MD5, NULL, 0x0b, 16, "Hi There", 0, 0,
     "9294727a3638bb1c13f48ef8158bfc9d"},
    {"2202", 2, CRYPTO_MD5, "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
     "750c783e6ab0b503eaa86e310a5db738"},
    {"2202", 3, CRYPTO_MD5, NULL, 0xaa, 16, NULL, 0xdd, 50,
     "56be34521d144c88dbb8c733f0e8b3f6"},
    {"2202", 4, CRYPTO_MD5, K25, 0, 0, NULL, 0xcd, 50,
     "697eaf0aca3a3aea3a75164746ffaa79"},
    {"2202", 5, CRYPTO_MD5, NULL, 0x0c, 16, "Test With Truncation", 0, 0,
     "56461ef2342edc00f9bab995690efd4c"},
    {"2202", 6, CRYPTO_MD5, NULL, 0xaa, 80, BIG1, 0, 0,
     "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
    {"2202", 7, CRYPTO_MD5, NULL, 0xaa, 80, BIG2, 0, 0,
     "6f630fad67cda0ee1fb1f562db3aa53e"},
    {"2202", 1, CRYPTO_SHA1, NULL, 0x0b, 20, "Hi There", 0, 0,
     "b617318655057264e28bc0b6fb378c8ef146be00"},
    {"2202", 2, CRYPTO_SHA1, "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
    {"2202", 3, CRYPTO_SHA1, NULL, 0xaa, 20, NULL, 0xdd, 50,
     "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
    {"2202", 4, CRYPTO_SHA1, K25, 0, 0, NULL, 0xcd, 50,
     "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
    {"2202", 5, CRYPTO_SHA1, NULL, 0x0c, 20, "Test With Truncation", 0, 0,
     "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
    {"2202", 6, CRYPTO_SHA1, NULL, 0xaa, 80, BIG1, 0, 0,
     "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
    {"2202", 7, CRYPTO_SHA1, NULL, 0xaa, 80, BIG2, 0, 0,
     "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
    {"4231", 1, CRYPTO_SHA256, NULL, 0x0b, 20, "Hi There", 0, 0,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"4231", 2, CRYPTO_SHA256, "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"4231", 3, CRYPTO_SHA256, NULL, 0xaa, 20, NULL, 0xdd, 50,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"4231", 4, CRYPTO_SHA256, K25, 0, 0, NULL, 0xcd, 50,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"4231", 5, CRYPTO_SHA256, NULL, 0x0c, 20, "Test With Truncation", 0, 0,
     "a3b6167473100ee06e0c796c2955552b"},
    {"4231", 6, CRYPTO_SHA256, NULL, 0xaa, 131, BIG1, 0, 0,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"4231", 7, CRYPTO_SHA256, NULL, 0xaa, 131, BIG3, 0, 0,
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
#undef K25
#undef BIG1
#undef BIG2
#undef BIG3
};

static void test_hmac(void) {
  for (size_t i = 0; i < sizeof hmac_cases / sizeof hmac_cases[0]; i++) {
    uint8_t key[131], data[160], out[CRYPTO_MD_MAX_LEN];
    size_t kn = hmac_cases[i].key_n, dn = hmac_cases[i].data_n, n = 0;
    if (hmac_cases[i].key_hex)
      kn = unhex(hmac_cases[i].key_hex, key, sizeof key);
    else
      memset(key, hmac_cases[i].key_byte, kn);
    if (hmac_cases[i].data) {
      dn = strlen(hmac_cases[i].data);
      memcpy(data, hmac_cases[i].data, dn);
    } else {
      memset(data, hmac_cases[i].data_byte, dn);
    }
    int before = check_failures;
    CHECK_INT(crypto_hmac(hmac_cases[i].alg, key, kn, data, dn, out, sizeof out, &n), 0);
    size_t want = strlen(hmac_cases[i].mac) / 2;
    if (n >= want) n = want; /* truncated MAC */
    CHECK_HEX(out, n, hmac_cases[i].mac);
    if (check_failures != before)
      fprintf(stderr, "  (RFC %s test case %d)\n", hmac_cases[i].rfc, hmac_cases[i].id);
  }
  uint8_t out[32];
  size_t n = 0;
  CHECK_INT(crypto_hmac(CRYPTO_SHA1, (const uint8_t *)"k", 1, (const uint8_t *)"m", 1,
                        out, 19, &n),
            CRYPTO_ESPACE);
}

/* ---- Encodings and CRC ----------------------------------------------------- */

static void test_base64(void) {
  /* RFC 4648 section 10. */
  static const char *v[][2] = {{"", ""},
                               {"f", "Zg=="},
                               {"fo", "Zm8="},
                               {"foo", "Zm9v"},
                               {"foob", "Zm9vYg=="},
                               {"fooba", "Zm9vYmE="},
                               {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    size_t len = strlen(v[i][0]), n = 99;
    size_t cap = CRYPTO_BASE64_LEN(len);
    CHECK_INT(cap, strlen(v[i][1]) + 1);
    char *txt = malloc(cap);
    CHECK_INT(crypto_base64_encode((const uint8_t *)v[i][0], len, txt, cap, &n), 0);
    CHECK_STR(txt, v[i][1]);
    CHECK_INT(n, strlen(v[i][1]));
    CHECK_INT(crypto_base64_encode((const uint8_t *)v[i][0], len, txt, cap - 1, &n),
              CRYPTO_ESPACE);
    free(txt);

    char *in = (char *)dup_exact((const uint8_t *)v[i][1], strlen(v[i][1]));
    uint8_t *bin = malloc(len ? len : 1);
    CHECK_INT(crypto_base64_decode(in, strlen(v[i][1]), bin, len, &n), 0);
    CHECK_INT(n, len);
    if (len) CHECK_MEM(bin, v[i][0], len);
    if (len)
      CHECK_INT(crypto_base64_decode(in, strlen(v[i][1]), bin, len - 1, &n),
                CRYPTO_ESPACE);
    CHECK(CRYPTO_BASE64_DECODED_LEN(strlen(v[i][1])) >= len);
    free(bin);
    free(in);
  }

  /* Not canonical base64: missing or misplaced '=', bad characters,
   * whitespace, nonzero unused bits ("Zm9=", "Zh=="), base64url. */
  static const char *bad[] = {
      "Zg",   "Zg=",  "Z===",     "====", "Zm9v\n",   "Zm9",  "Zm 9v",
      "Zm9=", "Zh==", "Zg==Zg==", "=Zm9", "Zm9v!A==", "-_-_", "Zm9vYmFy="};
  /* Every byte value as the last character of "AAA?": only the alphabet
   * and '=' pass (none of them leaves unused bits set there). */
  for (int c = 0; c < 256; c++) {
    char in[4] = {'A', 'A', 'A', (char)c};
    const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    uint8_t out[3];
    size_t n = 0;
    CHECK_INT(crypto_base64_decode(in, 4, out, 3, &n),
              c && strchr(ok, c) ? CRYPTO_OK : CRYPTO_EFORMAT);
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t len = strlen(bad[i]), n = 0;
    char *in = (char *)dup_exact((const uint8_t *)bad[i], len);
    uint8_t out[16];
    int rc = crypto_base64_decode(in, len, out, sizeof out, &n);
    CHECK_INT(rc, CRYPTO_EFORMAT);
    if (rc != CRYPTO_EFORMAT) fprintf(stderr, "  (base64 input \"%s\")\n", bad[i]);
    free(in);
  }
}

static void test_hex(void) {
  uint8_t out[8];
  char txt[16];
  size_t n = 0;
  /* RFC 4648 section 10, base16 (uppercase), decoded in either case. */
  CHECK_INT(crypto_hex_decode("666F6F626172", 12, out, 6, &n), 0);
  CHECK_INT(n, 6);
  CHECK_MEM(out, "foobar", 6);
  CHECK_INT(crypto_hex_decode("666f6F626172", 12, out, 6, &n), 0);
  CHECK_MEM(out, "foobar", 6);
  CHECK_INT(crypto_hex_encode((const uint8_t *)"foobar", 6, txt, 13, &n), 0);
  CHECK_STR(txt, "666f6f626172"); /* lowercase out */
  CHECK_INT(n, 12);
  CHECK_INT(crypto_hex_encode((const uint8_t *)"\x00\xff\x0a", 3, txt, 7, &n), 0);
  CHECK_STR(txt, "00ff0a");
  CHECK_INT(crypto_hex_encode(NULL, 0, txt, 1, &n), 0);
  CHECK_STR(txt, "");

  CHECK_INT(crypto_hex_decode("666", 3, out, sizeof out, &n), CRYPTO_EFORMAT);
  CHECK_INT(crypto_hex_decode("6g", 2, out, sizeof out, &n), CRYPTO_EFORMAT);
  CHECK_INT(crypto_hex_decode("0x12", 4, out, sizeof out, &n), CRYPTO_EFORMAT);
  CHECK_INT(crypto_hex_decode("12 3", 4, out, sizeof out, &n), CRYPTO_EFORMAT);
  CHECK_INT(crypto_hex_decode("1\0", 2, out, sizeof out, &n), CRYPTO_EFORMAT);
  /* Every byte value as the second digit: only 0-9, a-f, A-F pass. */
  for (int c = 0; c < 256; c++) {
    char in[2] = {'0', (char)c};
    int ok = strchr("0123456789abcdefABCDEF", c) != NULL && c != 0;
    CHECK_INT(crypto_hex_decode(in, 2, out, 1, &n), ok ? CRYPTO_OK : CRYPTO_EFORMAT);
  }
  CHECK_INT(crypto_hex_decode("666F6F626172", 12, out, 5, &n), CRYPTO_ESPACE);
  CHECK_INT(crypto_hex_encode((const uint8_t *)"foobar", 6, txt, 12, &n), CRYPTO_ESPACE);
  CHECK_INT(crypto_hex_decode("", 0, out, 0, &n), 0);
  CHECK_INT(n, 0);
}

static void test_crc32(void) {
  /* The CRC-32 check value from the CRC catalogues (Williams, "A painless
   * guide to CRC error detection", and reveng's CRC-32/ISO-HDLC entry). */
  const char *msg = "123456789";
  CHECK_INT(crypto_crc32(0, msg, 9), 0xCBF43926u);
  for (size_t split = 0; split <= 9; split++) /* incremental, every split */
    CHECK_INT(crypto_crc32(crypto_crc32(0, msg, split), msg + split, 9 - split),
              0xCBF43926u);
  CHECK_INT(crypto_crc32(0, NULL, 0), 0);
  /* zlib.crc32(b"The quick brown fox jumps over the lazy dog") */
  const char *fox = "The quick brown fox jumps over the lazy dog";
  CHECK_INT(crypto_crc32(0, fox, strlen(fox)), 0x414FA339u);
}

static void test_strerror(void) {
  for (int rc = CRYPTO_EBACKEND; rc <= CRYPTO_OK; rc++) {
    CHECK(crypto_strerror(rc) != NULL);
    CHECK(strcmp(crypto_strerror(rc), "unknown crypto error") != 0);
  }
  CHECK_STR(crypto_strerror(CRYPTO_ESPACE), "output buffer too small");
  CHECK_STR(crypto_strerror(-99), "unknown crypto error");
}

int main(void) {
  test_hex(); /* first: the other tests decode their vectors with it */
  test_aes_ecb();
  test_aes_cbc();
  test_pkcs7_openssl();
  test_padding_round_trip();
  test_pkcs7_bad();
  test_aes_space();
  test_gcm();
  test_gcm_tamper();
  test_digest();
  test_hmac();
  test_base64();
  test_crc32();
  test_strerror();
  return check_done("crypto");
}
