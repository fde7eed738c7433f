/*
 * Constant-time check of the JNI library's modular exponentiation (src/main/c/unixsocket.c), run
 * by NativeSocketIT under valgrind's memcheck: the exponent is marked undefined, so memcheck
 * reports every conditional jump, conditional move or memory index that depends on it ("depends on
 * uninitialised value(s)"), and --error-exitcode turns a report into a failed test. The result is
 * marked defined again before it is printed (it is the public value a DH peer would send).
 * Prints base^exp mod p in hex for each exponent, for the test to compare with BigInteger.
 */
#include <valgrind/memcheck.h>

#include "../../main/c/unixsocket.c"

static const char *PRIME =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";

static void from_hex(unsigned char *out, const char *hex, int n) {
  for (int i = 0; i < n; i++) {
    unsigned int v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (unsigned char)v;
  }
}

/* argv: exponents in hex, 64 digits each (32 bytes, as the helper's private values). */
int main(int argc, char **argv) {
  unsigned char p[128], base[1] = {2}, exp[32], out[128];
  from_hex(p, PRIME, 128);
  for (int a = 1; a < argc; a++) {
    from_hex(exp, argv[a], 32);
    VALGRIND_MAKE_MEM_UNDEFINED(exp, sizeof exp);
    if (mp_modpow(out, base, 1, exp, 32, p, 128) != 0) {
      return 2;
    }
    VALGRIND_MAKE_MEM_DEFINED(out, sizeof out);
    for (int i = 0; i < 128; i++) {
      printf("%02x", out[i]);
    }
    printf("\n");
  }
  return 0;
}
