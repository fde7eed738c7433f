package dev.nexusrouter.credential.dbus;

import java.io.IOException;

/**
 * The packaged library's modular exponentiation, for the Secret Service's Diffie-Hellman session:
 * the packaged {@code get} runs in the interpreter, where {@code BigInteger.modPow} on the 1024-bit
 * group costs ~25 ms per call (BENCHMARKS.md, "Credential helpers").
 */
public final class NativeMath {
  private NativeMath() {}

  /** base^exp mod mod, big-endian, or null when the library is not there (use BigInteger). */
  public static byte[] modPow(byte[] base, byte[] exp, byte[] mod) throws IOException {
    return NativeSocket.isAvailable() ? NativeSocket.modPow0(base, exp, mod) : null;
  }
}
