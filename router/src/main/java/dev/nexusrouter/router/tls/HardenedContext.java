package dev.nexusrouter.router.tls;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} whose engines are server-mode and limited to fixed protocols and cipher
 * suites. Undertow only narrows engines when the listener has explicit options, so the policy lives
 * in the context itself and survives a reload through {@code ListenerInfo#setSslContext}.
 */
final class HardenedContext extends SSLContextSpi {
  private final SSLContext delegate;
  private final String[] protocols;
  private final String[] suites;

  private HardenedContext(SSLContext delegate, String[] protocols, String[] suites) {
    this.delegate = delegate;
    this.protocols = protocols;
    this.suites = suites;
  }

  static SSLContext wrap(SSLContext delegate, String[] protocols, List<String> wanted) {
    List<String> supported = Arrays.asList(delegate.getSupportedSSLParameters().getCipherSuites());
    String[] suites =
        wanted.stream()
            .map(w -> supportedName(w, supported))
            .filter(n -> n != null)
            .toArray(String[]::new);
    HardenedContext spi = new HardenedContext(delegate, protocols.clone(), suites);
    return new SSLContext(spi, delegate.getProvider(), delegate.getProtocol()) {};
  }

  /**
   * {@code wanted} as the provider spells it, or null. wildfly-openssl's {@code
   * CipherSuiteConverter} names the TLS 1.2 ChaCha20 suites without their {@code _SHA256} (e.g.
   * {@code TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305}); it maps that name back to OpenSSL's.
   */
  static String supportedName(String wanted, List<String> supported) {
    if (supported.contains(wanted)) {
      return wanted;
    }
    String suffix = "_WITH_CHACHA20_POLY1305_SHA256";
    if (wanted.endsWith(suffix)) {
      String alias = wanted.substring(0, wanted.length() - "_SHA256".length());
      return supported.contains(alias) ? alias : null;
    }
    return null;
  }

  private SSLEngine configure(SSLEngine e) {
    e.setUseClientMode(false);
    SSLParameters p = e.getSSLParameters();
    p.setProtocols(protocols);
    p.setCipherSuites(suites);
    p.setUseCipherSuitesOrder(true);
    e.setSSLParameters(p);
    return e;
  }

  @Override
  protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
      throws KeyManagementException {
    throw new KeyManagementException("already initialised");
  }

  @Override
  protected SSLEngine engineCreateSSLEngine() {
    return configure(delegate.createSSLEngine());
  }

  @Override
  protected SSLEngine engineCreateSSLEngine(String host, int port) {
    return configure(delegate.createSSLEngine(host, port));
  }

  @Override
  protected SSLParameters engineGetDefaultSSLParameters() {
    SSLParameters p = delegate.getDefaultSSLParameters();
    p.setProtocols(protocols);
    p.setCipherSuites(suites);
    p.setUseCipherSuitesOrder(true);
    return p;
  }

  @Override
  protected SSLParameters engineGetSupportedSSLParameters() {
    return delegate.getSupportedSSLParameters();
  }

  @Override
  protected SSLSocketFactory engineGetSocketFactory() {
    return delegate.getSocketFactory();
  }

  @Override
  protected SSLServerSocketFactory engineGetServerSocketFactory() {
    return delegate.getServerSocketFactory();
  }

  @Override
  protected SSLSessionContext engineGetServerSessionContext() {
    return delegate.getServerSessionContext();
  }

  @Override
  protected SSLSessionContext engineGetClientSessionContext() {
    return delegate.getClientSessionContext();
  }
}
