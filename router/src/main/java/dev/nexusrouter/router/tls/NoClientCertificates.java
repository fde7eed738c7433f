package dev.nexusrouter.router.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * The trust manager of the router's server contexts. Listeners never ask clients for certificates,
 * so there is nothing to trust; naming this one stops both TLS engines from loading the JDK's
 * default trust store (some 150 certificates parsed at every start and reload, see
 * docs/operations.md#start-up). Any client certificate offered anyway is refused.
 */
final class NoClientCertificates implements X509TrustManager {
  static final NoClientCertificates INSTANCE = new NoClientCertificates();

  private NoClientCertificates() {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the router does not accept client certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a server context trusts no servers");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
