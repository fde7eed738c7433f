package dev.nexusrouter.router.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Whether a private key belongs to a public key (a certificate's), checked once per load of a
 * certificate and key. The common key types are compared without signing: an RSA key's modulus and
 * public exponent are in its CRT form, and an EC key's public point is the private scalar times the
 * curve's generator, one multiplication. A signature made and verified (three such multiplications
 * for ECDSA, in code not yet compiled at start-up) is the check for anything else. Why this matters
 * for start-up: docs/operations.md#start-up.
 */
final class KeyMatch {
  private KeyMatch() {}

  /**
   * Like {@link #matches(PrivateKey, PublicKey)}, first comparing the public point an EC key file
   * carries with the certificate's: equal bytes settle it without arithmetic. Any difference (a
   * compressed point, say) leaves the decision to the multiplication. A file whose two halves
   * disagree with each other is not caught here; the TLS handshake then fails.
   */
  static boolean matches(PemFiles.KeyFile file, PublicKey pub) {
    if (file.key() instanceof ECPrivateKey
        && file.publicKey() != null
        && pub instanceof java.security.interfaces.ECPublicKey
        && Arrays.equals(file.publicKey(), encodedPoint(pub))) {
      return true;
    }
    return matches(file.key(), pub);
  }

  /** The public key's bits as its certificate carries them (for EC keys, the encoded point). */
  static byte[] encodedPoint(PublicKey pub) {
    return SubjectPublicKeyInfo.getInstance(pub.getEncoded()).getPublicKeyData().getBytes();
  }

  static boolean matches(PrivateKey key, PublicKey pub) {
    if (key instanceof RSAPrivateCrtKey k && pub instanceof RSAPublicKey p) {
      return k.getModulus().equals(p.getModulus())
          && k.getPublicExponent().equals(p.getPublicExponent());
    }
    if (key instanceof ECPrivateKey k && pub instanceof java.security.interfaces.ECPublicKey) {
      Boolean same = samePoint(k.getS(), pub);
      if (same != null) {
        return same;
      }
    }
    return signatureVerifies(key, pub);
  }

  /** d·G against the certificate's point, or null when the curve is not a named one BC knows. */
  private static Boolean samePoint(BigInteger d, PublicKey pub) {
    SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(pub.getEncoded());
    if (!(info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve)) {
      return null;
    }
    X9ECParameters params = CustomNamedCurves.getByOID(curve);
    if (params == null || d.signum() <= 0 || d.compareTo(params.getN()) >= 0) {
      return null;
    }
    try {
      ECPoint expected = params.getCurve().decodePoint(info.getPublicKeyData().getBytes());
      return params.getG().multiply(d).normalize().equals(expected.normalize());
    } catch (IllegalArgumentException e) {
      return false; // the certificate's point is not on its curve
    }
  }

  private static boolean signatureVerifies(PrivateKey key, PublicKey pub) {
    String family = family(key.getAlgorithm());
    if (family == null || !family.equals(family(pub.getAlgorithm()))) {
      return false;
    }
    String alg =
        switch (family) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "DSA" -> "SHA256withDSA";
          default -> "Ed25519";
        };
    try {
      byte[] probe = "nexus-router key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** One name per key family: providers call an EdDSA key "Ed25519" or "EdDSA", EC "ECDSA". */
  private static String family(String algorithm) {
    return switch (algorithm) {
      case "RSA", "DSA" -> algorithm;
      case "EC", "ECDSA" -> "EC";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
  }
}
