package dev.nexusrouter.router.testing;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Responders that answer the way a Nexus docker connector does (docs/nexus-headers.md): realms and
 * upload Locations built from the forwarded {@code Host} and {@code X-Forwarded-Proto}, {@code
 * DockerToken.<uuid>} tokens, registry JSON errors.
 */
public final class Nexus {
  public static final String API_VERSION = "registry/2.0";

  private Nexus() {}

  /** Where an upload {@code Location} points (spec.md L255–262: absolute or relative). */
  public enum LocationStyle {
    /** {@code <X-Forwarded-Proto>://<Host>/v2/...}: what Nexus builds behind a correct proxy. */
    PUBLIC,
    /** {@code /v2/...}. */
    RELATIVE,
    /** {@code http://127.0.0.1:<upstream port>/v2/...}: the upstream's own address. */
    INTERNAL;

    public String url(RecordedRequest r, String path) {
      return switch (this) {
        case PUBLIC -> r.forwardedBase() + path;
        case RELATIVE -> path;
        case INTERNAL -> "http://127.0.0.1:" + r.localPort() + path;
      };
    }
  }

  /** 401 with {@code Bearer realm="<proto>://<Host>/v2/token",service="<same>"}. */
  public static Responder challenge() {
    return r -> {
      String realm = r.forwardedBase() + "/v2/token";
      return challenge(realm, realm);
    };
  }

  /** 401 with a fixed realm and service. */
  public static Reply challenge(String realm, String service) {
    return Reply.of(401)
        .header("Docker-Distribution-Api-Version", API_VERSION)
        .header("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"" + service + "\"")
        .json(
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"access to the requested resource is not authorized\",\"detail\":null}]}");
  }

  /** {@code {"token":"DockerToken.<uuid>"}}. */
  public static Responder token() {
    return r -> Reply.of(200).json("{\"token\":\"DockerToken." + UUID.randomUUID() + "\"}");
  }

  /** 200 {@code {}} with the API version header (ping). */
  public static Reply ok() {
    return Reply.of(200).header("Docker-Distribution-Api-Version", API_VERSION).json("{}");
  }

  /** A registry JSON error body as Nexus sends it. */
  public static Reply error(int status, String code, String message) {
    return Reply.of(status)
        .header("Docker-Distribution-Api-Version", API_VERSION)
        .json(
            "{\"errors\":[{\"code\":\""
                + code
                + "\",\"message\":\""
                + message
                + "\",\"detail\":null}]}");
  }

  /** HEAD/GET answer for something that exists: digest, length and type headers. */
  public static Reply exists(String digest, long length, String contentType) {
    return Reply.of(200)
        .header("Docker-Distribution-Api-Version", API_VERSION)
        .header("Docker-Content-Digest", digest)
        .header("Content-Type", contentType)
        .header("Content-Length", Long.toString(length));
  }

  /** A GET answer with a body and its digest. */
  public static Reply content(byte[] body, String contentType) {
    return Reply.of(200)
        .header("Docker-Distribution-Api-Version", API_VERSION)
        .header("Docker-Content-Digest", sha256(body))
        .header("Content-Type", contentType)
        .body(body);
  }

  /** 202 to an upload start (POST), Location {@code <request path>/<uuid>} in the given style. */
  public static Responder uploadStarted(LocationStyle style) {
    return r -> {
      String uuid = UUID.randomUUID().toString();
      String path = (r.path().endsWith("/") ? r.path() : r.path() + "/") + uuid;
      return Reply.of(202)
          .header("Docker-Distribution-Api-Version", API_VERSION)
          .header("Location", style.url(r, path))
          .header("Docker-Upload-UUID", uuid)
          .header("Range", "0-0")
          .header("Content-Length", "0");
    };
  }

  /** 202 to a PATCH: same session path as Location, {@code Range: 0-<received-1>}. */
  public static Responder uploadAccepted(LocationStyle style) {
    return r -> {
      String uuid = r.path().substring(r.path().lastIndexOf('/') + 1);
      return Reply.of(202)
          .header("Docker-Distribution-Api-Version", API_VERSION)
          .header("Location", style.url(r, r.path()))
          .header("Docker-Upload-UUID", uuid)
          .header("Range", "0-" + Math.max(0, r.bodyLength() - 1))
          .header("Content-Length", "0");
    };
  }

  /** 201 to a blob commit: Location of the blob, digest echoed from {@code ?digest=}. */
  public static Responder blobCreated() {
    return r -> {
      String digest = queryParam(r.query(), "digest");
      String name = nameOf(r.path());
      return Reply.of(201)
          .header("Docker-Distribution-Api-Version", API_VERSION)
          .header("Location", "/v2/" + name + "/blobs/" + digest)
          .header("Docker-Content-Digest", digest == null ? "" : digest)
          .header("Content-Length", "0");
    };
  }

  /** 201 to a manifest PUT, with the digest of the uploaded body. */
  public static Responder manifestCreated() {
    return r ->
        Reply.of(201)
            .header("Docker-Distribution-Api-Version", API_VERSION)
            .header("Docker-Content-Digest", "sha256:" + r.bodySha256())
            .header("Location", r.path())
            .header("Content-Length", "0");
  }

  /** The repository name of a {@code /v2/<name>/(blobs|manifests)/...} path. */
  static String nameOf(String path) {
    String p = path.substring(path.indexOf("/v2/") + 4);
    int i = p.lastIndexOf("/blobs/");
    if (i < 0) {
      i = p.lastIndexOf("/manifests/");
    }
    return i < 0 ? p : p.substring(0, i);
  }

  /** The raw value of a query parameter, or null. */
  public static String queryParam(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return kv.substring(eq + 1);
      }
    }
    return null;
  }

  /** {@code sha256:<hex>} of the bytes. */
  public static String sha256(byte[] bytes) {
    return "sha256:" + sha256Hex(bytes);
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The request target ({@code path?query}) of an absolute or relative URL. */
  public static String targetOf(String url) {
    if (url.startsWith("/")) {
      return url;
    }
    URI u = URI.create(url);
    String q = u.getRawQuery();
    return u.getRawPath() + (q == null ? "" : "?" + q);
  }

  /** The authority ({@code host[:port]}) of an absolute URL, or null for a relative one. */
  public static String authorityOf(String url) {
    return url.startsWith("/") ? null : URI.create(url).getRawAuthority();
  }

  /** Appends a query parameter to a target that may already carry a query. */
  public static String withQuery(String target, String param) {
    return target + (target.contains("?") ? "&" : "?") + param;
  }
}
