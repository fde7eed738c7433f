package dev.nexusrouter.router.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.wildfly.openssl.OpenSSLProvider;

/**
 * The implementation behind the listeners' TLS: OpenSSL (the system's libssl, through
 * wildfly-openssl) or the JDK's own JSSE. Chosen once per process by {@link #select}: the native
 * library is loaded once and stays loaded. Both get the same policy ({@link HardenedContext}); see
 * docs/tls.md#tls-engine for what differs and why.
 */
public final class TlsEngine {
  /** The {@code tls-engine} setting. */
  public enum Setting {
    /** OpenSSL when it loads and the key is RSA, else JSSE. */
    AUTO,
    /** OpenSSL or a start-up failure. */
    OPENSSL,
    /** JSSE only; the native library is never touched. */
    JDK;

    /** The name in the YAML file. */
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The setting named {@code s}, or null. */
    public static Setting parse(String s) {
      for (Setting v : values()) {
        if (v.yamlName().equals(s)) {
          return v;
        }
      }
      return null;
    }
  }

  /** The setting when the file has none (BENCHMARKS.md, "TLS engine: OpenSSL vs JSSE"). */
  public static final Setting DEFAULT = Setting.JDK;

  /** JSSE only. */
  public static final TlsEngine JDK = new TlsEngine(Setting.JDK, null, null);

  private final Setting setting;
  private final Provider openssl;
  private final String unavailable;

  private TlsEngine(Setting setting, Provider openssl, String unavailable) {
    this.setting = setting;
    this.openssl = openssl;
    this.unavailable = unavailable;
  }

  /**
   * Loads OpenSSL unless the setting is {@code jdk}. With {@code openssl} a library that does not
   * load is a {@link TlsException} naming the reason; with {@code auto} it is {@link
   * #unavailable()}, and contexts are JSSE's.
   */
  public static TlsEngine select(Setting setting) {
    if (setting == Setting.JDK) {
      return JDK;
    }
    Provider p = new OpenSSLProvider(); // not registered: only this class asks it for contexts
    String why = null;
    try {
      // creating a context loads libwfssl and the system's libssl/libcrypto
      SSLContext.getInstance("openssl.TLS", p);
    } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
      why = reason(e);
    }
    if (why == null) {
      return new TlsEngine(setting, p, null);
    }
    if (setting == Setting.OPENSSL) {
      throw new TlsException(
          "tls-engine openssl: the OpenSSL library cannot be loaded: "
              + why
              + "; install libssl3 or set tls-engine to auto or jdk (docs/tls.md#tls-engine)");
    }
    return new TlsEngine(setting, null, why);
  }

  /**
   * What {@code check} reports for {@code tls-engine: openssl}: a library that does not load, and
   * each server certificate whose key OpenSSL cannot serve (the embedded CA's is EC). Empty for
   * {@code auto} and {@code jdk}, which always start.
   *
   * @param certFiles the listeners' certificate files by YAML path; null for the embedded CA's
   */
  public static List<String> check(Setting setting, Map<String, Path> certFiles) {
    List<String> out = new ArrayList<>();
    if (setting != Setting.OPENSSL || certFiles.isEmpty()) {
      return out;
    }
    try {
      select(setting);
    } catch (TlsException e) {
      out.add(e.getMessage());
      return out;
    }
    certFiles.forEach(
        (where, file) -> {
          String alg;
          try {
            alg =
                file == null
                    ? "EC (the embedded CA's key)"
                    : PemFiles.readCertificates(file).get(0).getPublicKey().getAlgorithm();
          } catch (TlsException e) {
            out.add(where + ": " + e.getMessage());
            return;
          }
          if (!alg.equals("RSA")) {
            out.add(
                where
                    + ": tls-engine openssl serves RSA keys only, and this key is "
                    + alg
                    + "; use an RSA key (certs init --key-type rsa) or tls-engine auto/jdk");
          }
        });
    return out;
  }

  /** The deepest message: wildfly-openssl wraps the loader's reason in reflection exceptions. */
  private static String reason(Throwable e) {
    String msg = e.toString();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        msg = t.getMessage().strip();
      }
    }
    return msg;
  }

  public Setting setting() {
    return setting;
  }

  /** Whether contexts for RSA keys are OpenSSL's. */
  public boolean openSslLoaded() {
    return openssl != null;
  }

  /** Why {@code auto} could not load OpenSSL, or null. */
  public String unavailable() {
    return unavailable;
  }

  /**
   * {@code openssl} or {@code jdk}: the engine that serves a key of {@code keyAlgorithm}.
   * wildfly-openssl 2.2.5 installs RSA (and DSA) server keys only (its {@code OpenSSLContextSPI};
   * EC support is the open upstream pull request wildfly-openssl#117), so an EC key is served by
   * JSSE under {@code auto} and refused under {@code openssl}.
   */
  public String engineFor(String keyAlgorithm) {
    return openssl != null && "RSA".equals(keyAlgorithm) ? "openssl" : "jdk";
  }

  /** The engine for a key of {@code keyAlgorithm}, and why when it is not the one asked for. */
  public String describe(String keyAlgorithm) {
    String e = engineFor(keyAlgorithm);
    if (setting != Setting.AUTO || e.equals("openssl")) {
      return e;
    }
    return e
        + (unavailable != null
            ? " (tls-engine auto: OpenSSL cannot be loaded: " + unavailable + ")"
            : " (tls-engine auto: the OpenSSL engine serves RSA keys only, this key is "
                + keyAlgorithm
                + ")");
  }

  /**
   * Whether the engines of {@code context} can take a whole TLS record in without decrypting it
   * yet, so that a connection may hold client bytes no socket event will announce: OpenSSL's engine
   * does, JSSE's never consumes more than it returns
   * (docs/tls.md#uploads-that-stopped-before-their-last-record).
   */
  public static boolean holdsUndecryptedRecords(SSLContext context) {
    return context.getProvider() instanceof OpenSSLProvider;
  }

  /** Builds the context of {@code m}, refusing a key OpenSSL cannot serve under {@code openssl}. */
  SSLContext context(ServerTls.Material m, KeyManager km) throws GeneralSecurityException {
    if (engineFor(m.chain().get(0).getPublicKey().getAlgorithm()).equals("jdk")) {
      if (setting == Setting.OPENSSL) {
        throw new TlsException(
            "tls-engine openssl serves RSA keys only, and this key is "
                + m.key().getAlgorithm()
                + "; use an RSA key (certs init --key-type rsa) or tls-engine auto/jdk"
                + " (docs/tls.md#tls-engine)");
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {km}, new TrustManager[] {NoClientCertificates.INSTANCE}, null);
      return ctx;
    }
    SSLContext ctx = SSLContext.getInstance("openssl.TLS", openssl);
    ctx.init(new KeyManager[] {km}, new TrustManager[] {NoClientCertificates.INSTANCE}, null);
    return ctx;
  }
}
