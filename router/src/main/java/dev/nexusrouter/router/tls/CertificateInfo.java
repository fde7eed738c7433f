package dev.nexusrouter.router.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** Human-readable facts about a certificate, as {@code certs show} prints them. */
final class CertificateInfo {
  private CertificateInfo() {}

  /** SHA-256 of the DER encoding, colon-separated upper-case hex like {@code openssl x509}. */
  static String fingerprint(X509Certificate c) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot fingerprint certificate: " + e.getMessage());
    }
  }

  /**
   * Accepts a SHA-256 fingerprint as users paste it: {@code AB:CD:…}, plain hex, with a {@code
   * sha256:} prefix, or a whole {@code sha256 Fingerprint=…} line from openssl. Returns 64 lower
   * case hex digits, or throws.
   */
  static String normalizeFingerprint(String text) {
    String s = text.trim();
    int eq = s.lastIndexOf('=');
    if (eq >= 0) {
      s = s.substring(eq + 1);
    }
    if (s.toLowerCase(Locale.ROOT).startsWith("sha256:")) {
      s = s.substring("sha256:".length());
    }
    s = s.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
    if (!s.matches("[0-9a-f]{64}")) {
      throw new TlsException(
          "'" + text + "' is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
    }
    return s;
  }

  static List<String> subjectAltNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = c.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          String kind =
              switch (type) {
                case 2 -> "DNS";
                case 7 -> "IP";
                case 1 -> "email";
                case 6 -> "URI";
                default -> "other";
              };
          out.add(kind + ":" + san.get(1));
        }
      }
    } catch (CertificateParsingException e) {
      out.add("(unreadable: " + e.getMessage() + ")");
    }
    return out;
  }

  /** The lines {@code certs show} prints for one certificate, warnings included. */
  static List<String> describe(X509Certificate c, Instant now, Duration warnWithin) {
    List<String> lines = new ArrayList<>();
    lines.add("subject:     " + c.getSubjectX500Principal().getName());
    List<String> sans = subjectAltNames(c);
    lines.add("SANs:        " + (sans.isEmpty() ? "(none)" : String.join(", ", sans)));
    lines.add("issuer:      " + c.getIssuerX500Principal().getName());
    lines.add("serial:      " + c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT));
    lines.add("not before:  " + c.getNotBefore().toInstant());
    lines.add("not after:   " + c.getNotAfter().toInstant());
    int pathLen = c.getBasicConstraints();
    lines.add("CA:          " + (pathLen >= 0 ? "yes" : "no"));
    lines.add("SHA-256:     " + fingerprint(c));
    Instant notAfter = c.getNotAfter().toInstant();
    if (notAfter.isBefore(now)) {
      lines.add("WARNING: expired on " + notAfter);
    } else if (notAfter.isBefore(now.plus(warnWithin))) {
      lines.add(
          "WARNING: expires in "
              + Duration.between(now, notAfter).toDays()
              + " days (within "
              + warnWithin.toDays()
              + "); renew it");
    }
    if (c.getNotBefore().toInstant().isAfter(now)) {
      lines.add("WARNING: not valid before " + c.getNotBefore().toInstant());
    }
    return lines;
  }
}
