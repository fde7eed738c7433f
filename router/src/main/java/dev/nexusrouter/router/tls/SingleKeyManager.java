package dev.nexusrouter.router.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of a listener: one certificate chain and its key, offered when the handshake asks
 * for that key type. It replaces a {@code KeyStore} + {@code KeyManagerFactory} pair, whose PKCS12
 * store encrypted the key with 10,000 PBKDF2 rounds only for the factory to decrypt it again, about
 * a quarter of the router's start-up CPU (BENCHMARKS.md).
 */
final class SingleKeyManager extends X509ExtendedKeyManager {
  static final String ALIAS = "server";

  private final X509Certificate[] chain;
  private final PrivateKey key;
  private final String keyType;

  SingleKeyManager(List<X509Certificate> chain, PrivateKey key) {
    this.chain = chain.toArray(new X509Certificate[0]);
    this.key = key;
    this.keyType = canonical(this.chain[0].getPublicKey().getAlgorithm());
  }

  /**
   * JSSE asks with {@code RSA}, {@code RSASSA-PSS}, {@code EC} or {@code EdDSA} (its {@code
   * X509Authentication} names); providers name EC keys {@code EC} or {@code ECDSA} and EdDSA keys
   * {@code EdDSA}, {@code Ed25519} or {@code Ed448}.
   */
  private static String canonical(String algorithm) {
    return switch (algorithm) {
      case "ECDSA" -> "EC";
      case "Ed25519", "Ed448" -> "EdDSA";
      default -> algorithm;
    };
  }

  private String alias(String type) {
    return type != null && canonical(type).equals(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) {
    return alias(type);
  }

  @Override
  public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
    return alias(type);
  }

  @Override
  public String[] getServerAliases(String type, Principal[] issuers) {
    return alias(type) == null ? null : new String[] {ALIAS};
  }

  /** A server presents no client certificate. */
  @Override
  public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String[] getClientAliases(String type, Principal[] issuers) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
